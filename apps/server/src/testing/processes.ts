/**
 * Real processes for deployment tests: Node auth servers as child processes (so one can be killed), HAProxy and
 * PgBouncer from Debian's packages. Everything listens on 127.0.0.1 on free ports; `stop()` ends only the process it
 * started, by PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../config";
import { freePort } from "../../../../scripts/test-postgres.mjs";
import { startStack, stopChild } from "./stack";

/** Whether a process with this PID still exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Child {
  url: string;
  child: ChildProcess;
  /** Everything the process printed, most recent last (bounded). */
  output: string[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collect(child: ChildProcess): string[] {
  const output: string[] = [];
  const add = (chunk: Buffer) => {
    output.push(...chunk.toString().split("\n").filter(Boolean));
    if (output.length > 2000) output.splice(0, output.length - 2000);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return output;
}

async function waitUntil(ready: () => Promise<boolean>, child: ChildProcess, output: string[], what: string, timeoutMs = 60_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output.slice(-30).join("\n")}`);
    if (await ready().catch(() => false)) return;
  }
  await stopChild(child);
  throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${output.slice(-30).join("\n")}`);
}

/** The auth server as `npm start` runs it (without the backend), configured by `env` (over stack.ts's test defaults). */
export async function startNodeServer(env: Record<string, string>): Promise<Child> {
  const stack = await startStack({
    databaseUrl: env.DATABASE_URL,
    secret: env.BETTER_AUTH_SECRET,
    port: env.PORT ? Number(env.PORT) : undefined,
    env,
  });
  return { url: stack.url!, child: stack.nodeChild!, output: stack.logs, stop: stack.stop };
}

/** A scratch folder PostgreSQL's and PgBouncer's own users can read, removed by the caller. */
function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export interface Balancer extends Child {
  /** Each server's state as HAProxy's runtime API reports it: "UP", "DOWN", ... */
  states(): Promise<Record<string, string>>;
}

/**
 * HAProxy on `port` in front of `servers` (origins), with the repository's `deploy/haproxy.cfg`: round robin,
 * `/healthz` checks every `checkInterval`, X-Forwarded-For appended.
 */
export async function startHaproxy(port: number, servers: string[], checkInterval = "200ms"): Promise<Balancer> {
  const dir = scratch("textbook-haproxy-");
  const socket = path.join(dir, "stats.sock");
  const [first, second] = servers.map((s) => new URL(s).host);
  const child = spawn("haproxy", ["-db", "-f", path.join(REPO_ROOT, "deploy/haproxy.cfg")], {
    env: {
      ...process.env,
      TEXTBOOK_BIND: `127.0.0.1:${port}`,
      NODE_1: first!,
      NODE_2: second!,
      HEALTH_CHECK_INTERVAL: checkInterval,
      HAPROXY_STATS_SOCKET: socket,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collect(child);
  const url = `http://127.0.0.1:${port}`;
  const states = async () => {
    const csv = await runtimeCommand(socket, "show stat\n");
    const rows = csv.split("\n").filter((l) => l.startsWith("node,") && !l.startsWith("node,BACKEND"));
    return Object.fromEntries(rows.map((r) => [r.split(",")[1]!, r.split(",")[17]!]));
  };
  await waitUntil(async () => Object.values(await states()).every((s) => s === "UP"), child, output, "HAProxy");
  return {
    url,
    child,
    output,
    states,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runtimeCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(socketPath, () => socket.end(command));
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString()));
    socket.on("error", reject);
  });
}

/**
 * PgBouncer in transaction mode (what Neon's pooled endpoint is) in front of the PostgreSQL at `databaseUrl`; the
 * returned URL reaches the same database through it.
 */
export async function startPgbouncer(databaseUrl: string): Promise<Child> {
  const target = new URL(databaseUrl);
  const dir = scratch("textbook-pgbouncer-");
  const port = await freePort();
  const user = decodeURIComponent(target.username);
  writeFileSync(path.join(dir, "userlist.txt"), `"${user}" "${decodeURIComponent(target.password)}"\n`);
  writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${target.hostname} port=${target.port}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = plain",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 500",
      "default_pool_size = 20",
      "ignore_startup_parameters = extra_float_digits",
      "",
    ].join("\n"),
  );
  chmodSync(path.join(dir, "userlist.txt"), 0o644);
  // PgBouncer refuses to run as root.
  const child = spawn("pgbouncer", ["-u", "nobody", path.join(dir, "pgbouncer.ini")], { stdio: ["ignore", "pipe", "pipe"] });
  const output = collect(child);
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${port}`;
  const { default: pg } = await import("pg");
  await waitUntil(
    async () => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      await client.end();
      return true;
    },
    child,
    output,
    "PgBouncer",
  );
  return {
    url: url.toString(),
    child,
    output,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
