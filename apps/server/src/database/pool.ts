/**
 * The node-postgres pool both Better-Auth and our own queries use.
 * Neon: TLS is required (`sslmode=require` in its URL is honoured by node-postgres) and its pooled endpoint
 * (`-pooler` host, PgBouncer in transaction mode) works because node-postgres sends unnamed statements.
 */
import pg from "pg";

const lastConnectFailure = new WeakMap<pg.Pool, number>();

export function createPool(url: string, max: number): pg.Pool {
  // Better-Auth turns some database failures into "no session" (401); remembering failed connects lets the HTTP
  // layer tell an outage from a visitor without pinging the database on every 401. node-postgres lets a pool be
  // given its client class: this one records a failed connect, whichever way the pool asked for it.
  let pool: pg.Pool;
  type Callback = (err: Error | null, client?: pg.Client) => void;
  class TrackedClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: Callback): void;
    override connect(callback?: Callback): Promise<pg.Client> | void {
      const failed = () => lastConnectFailure.set(pool, Date.now());
      if (!callback) return super.connect().catch((err: Error) => (failed(), Promise.reject(err)));
      super.connect(((err: Error | null, client?: pg.Client) => {
        if (err) failed();
        callback(err, client);
      }) as (err: Error) => void);
    }
  }
  pool = new pg.Pool({ Client: TrackedClient, connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // Without a listener, an idle client whose server went away crashes the process.
  pool.on("error", (err) => {
    if (!pool.ending) console.error(`[db] idle client error: ${err.message}`);
  });
  return pool;
}

/** True when a connection attempt failed within the last `ms` milliseconds. */
export function connectFailedRecently(pool: pg.Pool, ms = 5_000): boolean {
  return Date.now() - (lastConnectFailure.get(pool) ?? 0) < ms;
}
