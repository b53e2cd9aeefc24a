/** Starts the real auth server in this process against a test database, on a free 127.0.0.1 port. */
import { randomBytes } from "node:crypto";
import { loadConfig } from "../config";
import { startServer, type RunningServer } from "../server";
import { freePort } from "../../../../scripts/test-postgres.mjs";

export const TEST_SECRET = randomBytes(32).toString("base64");

export async function startTestServer(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = String(env.PORT ?? (await freePort()));
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: port,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: TEST_SECRET,
    START_BACKEND: "false",
    BACKEND_URL: "http://127.0.0.1:9", // discard port: nothing listens, so the proxy sees a dead backend
    RATE_LIMIT: "false", // suites that test the limits turn them back on
    ...env,
  });
  return startServer(config, () => {});
}
