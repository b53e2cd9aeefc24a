/**
 * The node-postgres pool both Better-Auth and our own queries use.
 * Neon: TLS is required (`sslmode=require` in its URL is honoured by node-postgres) and its pooled endpoint
 * (`-pooler` host, PgBouncer in transaction mode) works because node-postgres sends unnamed statements.
 */
import pg from "pg";

const lastConnectFailure = new WeakMap<pg.Pool, number>();

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // Without a listener, an idle client whose server went away crashes the process.
  pool.on("error", (err) => {
    if (!pool.ending) console.error(`[db] idle client error: ${err.message}`);
  });
  // Better-Auth turns some database failures into "no session" (401); remembering failed connects lets the HTTP
  // layer tell an outage from a visitor without pinging the database on every 401.
  const connect = pool.connect.bind(pool) as (cb?: (...args: any[]) => void) => any;
  (pool as any).connect = (cb?: (err: Error | undefined, ...rest: unknown[]) => void) => {
    if (cb) {
      return connect((err: Error | undefined, ...rest: unknown[]) => {
        if (err) lastConnectFailure.set(pool, Date.now());
        cb(err, ...rest);
      });
    }
    return connect().catch((err: Error) => {
      lastConnectFailure.set(pool, Date.now());
      throw err;
    });
  };
  return pool;
}

/** True when a connection attempt failed within the last `ms` milliseconds. */
export function connectFailedRecently(pool: pg.Pool, ms = 5_000): boolean {
  return Date.now() - (lastConnectFailure.get(pool) ?? 0) < ms;
}
