/**
 * The node-postgres pool both Better-Auth and our own queries use.
 * Neon: TLS is required (`sslmode=require` in its URL is honoured by node-postgres) and its pooled endpoint
 * (`-pooler` host, PgBouncer in transaction mode) works because node-postgres sends unnamed statements.
 */
import pg from "pg";

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // Without a listener, an idle client whose server went away crashes the process.
  pool.on("error", (err) => {
    if (!pool.ending) console.error(`[db] idle client error: ${err.message}`);
  });
  return pool;
}
