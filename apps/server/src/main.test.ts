/**
 * `npm start`'s entry point as a newcomer meets it, run as its own process: a port that is already
 * taken stops it with a code, the port and the variable that moves it (never a bare `undefined`), and in
 * development both addresses it prints accept a sign-up and a cookie-carrying write to the backend.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, freePort } from "../../../scripts/test-postgres.mjs";
import { REPO_ROOT } from "./config";
import { TestClient } from "./testing/client";

const SECRET = randomBytes(32).toString("base64");
const hasVenv = existsSync(path.join(REPO_ROOT, ".venv", "bin", "python"));

interface Run {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code, or null if the process was still running after `ms`. */
  exited: (ms: number) => Promise<number | null>;
  /** Resolves with the output once `pattern` appears in it, or rejects when the process exits or `ms` passes. */
  waitFor: (pattern: RegExp, ms: number) => Promise<RegExpMatchArray>;
  stop: () => Promise<void>;
}

function runMain(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: REPO_ROOT,
    // Only what the test gives, plus PATH: the developer's own PORT or DATABASE_URL must not leak in.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const listeners = new Set<() => void>();
  const add = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", add);
  child.stderr!.on("data", add);
  const exit = new Promise<number>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 0))));
  return {
    child,
    output: () => text,
    exited: (ms) => Promise.race([exit, new Promise<null>((r) => setTimeout(() => r(null), ms))]),
    waitFor: (pattern, ms) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) done(() => resolve(match));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${ms} ms; output:\n${text}`))), ms);
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        void exit.then((code) => done(() => reject(new Error(`exited with ${code} before ${pattern}; output:\n${text}`))));
        check();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      if ((await Promise.race([exit, new Promise<null>((r) => setTimeout(() => r(null), 15_000))])) === null) {
        child.kill("SIGKILL");
        await exit;
      }
    },
  };
}

/** Holds a port the way another program would. */
async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs main.ts until it exits (at most 60 s) and returns its exit code and output. */
async function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const run = runMain(env);
  try {
    // A start that gets as far as Ready has ignored the taken port: stop it at once rather than wait.
    const code = await Promise.race([run.exited(60_000), run.waitFor(/^Ready: /m, 60_000).then(() => -1, () => null)]);
    return { code: code === null ? await run.exited(1_000) : code, output: run.output() };
  } finally {
    await run.stop();
  }
}

describe("npm start: ports already in use", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let taken: Awaited<ReturnType<typeof occupy>>;
  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "main-ports-"));
    chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as its own user, which must reach its folder
    taken = await occupy();
  });
  after(async () => {
    await taken.close();
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  });

  const base = () => ({ NODE_ENV: "development", HOST: "127.0.0.1", BETTER_AUTH_SECRET: SECRET, DATA_DIR: dataDir });

  test("PORT taken: exits 78 with PORT_IN_USE, the port and the variable, before starting anything", async () => {
    const { code, output } = await runUntilExit({ ...base(), PORT: String(taken.port), DATABASE_URL: db.url, START_BACKEND: "false" });
    assert.equal(code, 78, output);
    assert.match(output, /PORT_IN_USE/);
    assert.match(output, new RegExp(`\\b${taken.port}\\b`));
    assert.match(output, /\bPORT=\d+/);
    assert.doesNotMatch(output, /^undefined$/m);
  });

  test("EMBEDDED_PG_PORT set and taken: exits 78 naming EMBEDDED_PG_PORT (was: `undefined`, exit 1)", async () => {
    const { code, output } = await runUntilExit({ ...base(), PORT: String(await freePort()), EMBEDDED_PG_PORT: String(taken.port), START_BACKEND: "false" });
    assert.equal(code, 78, output);
    assert.match(output, /PORT_IN_USE/);
    assert.match(output, /\bEMBEDDED_PG_PORT=\d+/);
    assert.doesNotMatch(output, /^undefined$/m);
  });

  test("BACKEND_PORT set and taken: exits 78 naming BACKEND_PORT, instead of proxying to whatever holds it", async () => {
    const { code, output } = await runUntilExit({
      ...base(),
      PORT: String(await freePort()),
      DATABASE_URL: db.url,
      BACKEND_PORT: String(taken.port),
    });
    assert.equal(code, 78, output);
    assert.match(output, /PORT_IN_USE/);
    assert.match(output, /\bBACKEND_PORT=\d+/);
  });
});

describe("npm start in development: both loopback addresses work", { skip: !hasVenv && "the Python virtualenv (.venv) is missing" }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let run: Run;
  let port: number;
  let printed: string;
  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "main-dev-"));
    port = await freePort();
    run = runMain({
      NODE_ENV: "development",
      HOST: "127.0.0.1",
      PORT: String(port),
      BACKEND_PORT: String(await freePort()),
      DATABASE_URL: db.url,
      BETTER_AUTH_SECRET: SECRET,
      DATA_DIR: dataDir,
      RATE_LIMIT: "false",
    });
    printed = (await run.waitFor(/^Ready: .*$/m, 90_000))[0];
    // The backend is a child of the server and answers a moment after the server does.
    const health = `http://127.0.0.1:${port}/api/health`;
    for (let i = 0; i < 300 && !(await fetch(health).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  });
  after(async () => {
    await run?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await db?.drop();
  });

  test("prints both spellings of the address", () => {
    assert.ok(printed.includes(`http://localhost:${port}`), printed);
    assert.ok(printed.includes(`http://127.0.0.1:${port}`), printed);
  });

  test("prints where mail goes: the development mailbox under DATA_DIR, and its page", async () => {
    const [line] = await run.waitFor(/^Mail: .*$/m, 1_000);
    assert.ok(line.startsWith(`Mail: development mailbox, messages kept in ${path.join(dataDir, "mail")}`), line);
    assert.ok(line.endsWith(`read them at http://localhost:${port}/dev/mailbox`), line);
  });

  for (const host of ["localhost", "127.0.0.1"]) {
    test(`a page on http://${host}:PORT signs up and writes to the backend through the proxy`, async () => {
      const origin = `http://${host}:${port}`;
      // The request goes to the loopback address the server listens on; Origin is what the browser would send.
      const c = new TestClient(`http://127.0.0.1:${port}`, origin);
      const signUp = await c.post("/api/auth/sign-up/email", { email: `${host}@loopback.test`, password: "a long password 1", name: "L" });
      assert.equal(signUp.status, 200, signUp.text);
      assert.equal((await c.post("/api/auth/profile", { pythonProficiency: "beginner", developerRole: "student" })).status, 200);
      const write = await c.request("PUT", "/api/progress", { chapter: "variables", completed: true });
      assert.equal(write.status, 200, write.text);
    });
  }

  test("control: another port on loopback is still another origin", async () => {
    const c = new TestClient(`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`);
    const r = await c.post("/api/auth/sign-up/email", { email: "other-port@loopback.test", password: "a long password 1", name: "O" });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, "INVALID_ORIGIN");
  });
});

describe("npm start with a weak BETTER_AUTH_SECRET", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });
  const base = () => ({ HOST: "127.0.0.1", START_BACKEND: "false", DATABASE_URL: db.url, RATE_LIMIT: "false" });

  test("an https:// PUBLIC_URL with a weak secret and NODE_ENV=development does not start: exit 78 naming BETTER_AUTH_SECRET", async () => {
    const { code, output } = await runUntilExit({
      ...base(),
      NODE_ENV: "development",
      PUBLIC_URL: "https://book.example",
      BETTER_AUTH_SECRET: "changeme",
      PORT: String(await freePort()),
    });
    assert.equal(code, 78, output);
    assert.match(output, /^BETTER_AUTH_SECRET /m);
    assert.doesNotMatch(output, /^Ready: /m);
  });

  test("on http outside production a weak secret starts, after a warning banner naming it; a strong one without", async () => {
    for (const [secret, warned] of [["changeme", true], [SECRET, false]] as const) {
      const run = runMain({ ...base(), NODE_ENV: "development", BETTER_AUTH_SECRET: secret, PORT: String(await freePort()) });
      try {
        await run.waitFor(/^Ready: /m, 60_000);
        const banner = /^!{20,}\nWARNING: BETTER_AUTH_SECRET [^\n]+\n!{20,}$/m;
        if (warned) assert.match(run.output(), banner);
        else assert.doesNotMatch(run.output(), /WARNING/);
      } finally {
        await run.stop();
      }
    }
  });
});
