/**
 * In development a random secret is generated once and kept under the data folder, so restarts keep everyone
 * signed in (the session cookie is checked against the current secret only). Production must set BETTER_AUTH_SECRET.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { checkSecretStrength, ConfigError, type Config } from "../config";

export function resolveSecret(config: Config): string {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, "auth.secret");
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600 });
  }
  const secret = readFileSync(file, "utf8").trim();
  // Written by us, so strong unless someone replaced it; then it is refused rather than trusted quietly.
  const problem = checkSecretStrength(secret);
  if (problem) {
    throw new ConfigError(`The development secret in ${file} ${problem}: delete the file (a new one is generated) or set BETTER_AUTH_SECRET`);
  }
  return secret;
}
