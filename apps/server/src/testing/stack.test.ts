/**
 * The one stack harness: what every test family relies on it for. A fresh database that is migrated and dropped on
 * stop; the Node server and the backend on one database and secret, the backend trusting the Node origin; JWT mode
 * verifying the Node server's tokens; and the CLI pytest runs, which must print its URLs and take its processes
 * down when its caller goes away (even one killed without a chance to clean up).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import pg from "pg";
import { REPO_ROOT } from "../config";
import { parseArgs, startStack, STACK_CLI } from "./stack";
import { isAlive } from "./processes";

async function databaseExists(databaseUrl: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: process.env.TEST_PG_URL });
  await admin.connect();
  try {
    const name = new URL(databaseUrl).pathname.slice(1);
    return (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}


async function gone(pid: number, timeoutMs = 20_000): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (!isAlive(pid)) return true;
  }
  return false;
}

async function signUp(origin: string): Promise<string> {
  const r = await fetch(`${origin}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email: `stack-${Date.now()}-${Math.random()}@example.com`, password: "correct horse battery", name: "S" }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  return r.headers.getSetCookie()[0]!.split(";")[0]!;
}

describe("startStack", () => {
  it("in process: a fresh migrated database that stop() drops", async () => {
    const stack = await startStack({ node: "in-process" });
    try {
      assert.equal(stack.nodePid, null);
      assert.ok(stack.server);
      await signUp(stack.url!); // the tables exist: the server migrated them
      assert.equal(await databaseExists(stack.databaseUrl), true);
    } finally {
      await stack.stop();
    }
    assert.equal(await databaseExists(stack.databaseUrl), false);
  });

  it("Node and the backend on one database and secret: a session made through Node is the backend's reader", async () => {
    const stack = await startStack({ backend: true });
    const pids = [stack.nodePid, stack.backendPid];
    try {
      const cookie = await signUp(stack.url!);
      // Through the Node proxy and straight to the backend's own port: the same reader.
      for (const base of [stack.url!, stack.backendUrl!]) {
        const r = await fetch(`${base}/api/me`, { headers: { cookie } });
        const body = (await r.json()) as { code: string };
        // Signed in, profile not complete (a stranger's cookie would be 401 UNAUTHENTICATED).
        assert.deepEqual([r.status, body.code], [403, "PROFILE_INCOMPLETE"], base);
      }
      assert.ok(stack.nodePid && isAlive(stack.nodePid));
      assert.ok(stack.backendPid && isAlive(stack.backendPid));
    } finally {
      await stack.stop();
    }
    for (const pid of pids) assert.ok(pid && (await gone(pid)), `process ${pid} outlived stop()`);
  });

  for (const [how, second] of [
    ["with its Node server", false],
    // As the bench runs it: a second stack on the first one's database, its output drained unread.
    ["alone, beside another stack's Node server", true],
  ] as const) {
    it(`JWT mode ${how}: the backend verifies the Node server's tokens by its JWKS`, async () => {
      const stack = await startStack({ backend: !second, authMode: "jwt" });
      const jwtStack = second
        ? await startStack({ node: false, migrate: false, databaseUrl: stack.databaseUrl, secret: stack.secret, backend: true, authMode: "jwt", publicUrl: stack.url!, output: "ignore" })
        : stack;
      try {
        const cookie = await signUp(stack.url!);
        const { token } = (await (await fetch(`${stack.url}/api/auth/token`, { headers: { cookie } })).json()) as { token: string };
        const withToken = await fetch(`${jwtStack.backendUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(((await withToken.json()) as { code: string }).code, "PROFILE_INCOMPLETE");
        // The same token with its payload changed fails the signature check against the JWKS.
        const [head, payload, signature] = token.split(".");
        const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
        const forged = [head, Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url"), signature].join(".");
        const withForged = await fetch(`${jwtStack.backendUrl}/api/me`, { headers: { authorization: `Bearer ${forged}` } });
        assert.equal(((await withForged.json()) as { code: string }).code, "UNAUTHENTICATED");
      } finally {
        if (second) await jwtStack.stop();
        await stack.stop();
      }
    });
  }

  it("restartNode keeps the port, database and secret: a session survives it", async () => {
    const stack = await startStack({});
    try {
      const cookie = await signUp(stack.url!);
      const before = stack.nodePid;
      await stack.restartNode({ JWT_EXPIRATION: "1m" });
      assert.notEqual(stack.nodePid, before);
      const r = await fetch(`${stack.url}/api/auth/get-session`, { headers: { cookie } });
      assert.equal(r.status, 200);
      assert.ok(((await r.json()) as { session?: unknown } | null)?.session);
    } finally {
      await stack.stop();
    }
  });
});

describe("the stack CLI", () => {
  it("parses what conftest.py passes, and refuses what it does not know", () => {
    const { options, detach } = parseArgs([
      "--json", "--backend", "--database-url", "postgres://x/y", "--secret", "s", "--port", "41000",
      "--jwt-expiration", "3s", "--env", "A=1=2", "--backend-env", "AUTH_MODE=jwt",
    ]);
    assert.equal(detach, false);
    assert.deepEqual(
      { ...options },
      { backend: true, databaseUrl: "postgres://x/y", secret: "s", port: 41000, jwtExpiration: "3s", env: { A: "1=2" }, backendEnv: { AUTH_MODE: "jwt" } },
    );
    assert.throws(() => parseArgs(["--bogus"]), /unknown argument/);
    assert.throws(() => parseArgs(["--env", "NOVALUE"]), /NAME=VALUE/);
    assert.throws(() => parseArgs(["--detach"]), /--detach/);
  });

  /** Runs the CLI as conftest.py does and reads its JSON line (bounded: two minutes). */
  async function runCli(args: string[]) {
    const cli = spawn(process.execPath, ["--import", "tsx", STACK_CLI, "--json", ...args], {
      cwd: REPO_ROOT,
      stdio: ["pipe", "pipe", "ignore"],
    });
    let out = "";
    cli.stdout.on("data", (d: Buffer) => (out += d.toString()));
    for (const end = Date.now() + 120_000; !out.includes("\n") && cli.exitCode === null && Date.now() < end; ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const info = JSON.parse(out.split("\n")[0]!) as { url: string; backendUrl: string; databaseUrl: string; nodePid: number; backendPid: number };
    const exited = new Promise<void>((r) => cli.once("exit", () => r()));
    /** Whether the CLI exited within 30 s; if not, it is stopped by PID so that a failing test leaves nothing running. */
    const exitedInTime = async () => {
      const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
      if (!inTime) {
        cli.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      }
      for (const pid of [info.nodePid, info.backendPid]) if (isAlive(pid)) process.kill(pid, "SIGKILL");
      return inTime;
    };
    return { cli, info, exitedInTime };
  }

  for (const [how, end] of [
    // What the caller's exit does, even when it is killed without a chance to clean up.
    ["its stdin closes", (cli: ReturnType<typeof spawn>) => cli.stdin!.end()],
    // What conftest.py's stop() sends.
    ["it gets SIGTERM", (cli: ReturnType<typeof spawn>) => cli.kill("SIGTERM")],
  ] as const) {
    it(`prints one JSON line, and stops every process and drops the database when ${how}`, async () => {
      const { cli, info, exitedInTime } = await runCli(["--backend"]);
      assert.equal((await fetch(`${info.url}/api/auth/ok`)).status, 200);
      assert.equal((await fetch(`${info.backendUrl}/api/health`)).status, 200);
      end(cli);
      const [nodeGone, backendGone] = [await gone(info.nodePid), await gone(info.backendPid)];
      assert.ok(await exitedInTime(), "the CLI did not exit");
      assert.ok(nodeGone, "the Node server outlived the CLI");
      assert.ok(backendGone, "the backend outlived the CLI");
      assert.equal(await databaseExists(info.databaseUrl), false);
    });
  }

  it("--detach leaves a migrated database to the caller and exits", async () => {
    const cli = spawn(process.execPath, ["--import", "tsx", STACK_CLI, "--json", "--no-node", "--detach"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    cli.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => cli.once("exit", r));
    assert.equal(code, 0);
    const { databaseUrl } = JSON.parse(out) as { databaseUrl: string };
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM session`);
      assert.equal(rows[0].n, 0); // the table exists: migrated
    } finally {
      await client.end();
      const admin = new pg.Client({ connectionString: process.env.TEST_PG_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
    }
  });
});
