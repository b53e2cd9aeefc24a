/**
 * `npm run bench`: one run, one machine, loopback only, bounded in time (about four minutes). Every figure is
 * printed beside its baseline from the same run, with the ratio and the target. Not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { createTestDatabase, freePort, startTestPostgres } from "../scripts/test-postgres.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const PYTHON = path.join(ROOT, ".venv/bin/python");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const children: ChildProcess[] = [];

interface Figure { rps: number; p50: number; p99: number }

async function load(url: string, headers: Record<string, string> = {}): Promise<Figure> {
  // An unmeasured second first: connections opened, caches and the JIT warm, the previous endpoint's load gone.
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 });
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

/** Like load(), with each connection signed in as its own reader, as when many readers load pages at once. */
async function loadAsReaders(url: string, cookies: readonly string[]): Promise<Figure> {
  let next = 0;
  const options = {
    url,
    connections: CONNECTIONS,
    requests: [
      {
        method: "GET" as const,
        setupRequest: (req: Record<string, any>, context: Record<string, any>) => {
          context.cookie ??= cookies[next++ % cookies.length];
          return { ...req, headers: { ...req.headers, cookie: context.cookie } };
        },
      },
    ],
  };
  await autocannon({ ...options, duration: 1 });
  const r = await autocannon({ ...options, duration: SECONDS });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function waitFor(url: string) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready: ${url}`);
}

function start(cmd: string, args: string[], env: Record<string, string>, cwd = ROOT) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  return child;
}

function rawLookup(databaseUrl: string, token: string): Figure {
  const r = spawnSync(PYTHON, [path.join(ROOT, "bench/raw_lookup.py"), databaseUrl, token, String(SECONDS), String(CONNECTIONS)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

async function stopChildren() {
  const running = children.splice(0).filter((c) => c.exitCode === null);
  await Promise.all(running.map((c) => new Promise((r) => { c.once("exit", r); c.kill("SIGTERM"); })));
}

/** A database of its own holding `n` live sessions, one of whose tokens is returned. */
async function sessionTable(n: number, secret: string) {
  const db = await createTestDatabase();
  const r = spawnSync(process.execPath, ["--import", "tsx", "apps/server/src/cli/migrate.ts"], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, BETTER_AUTH_SECRET: secret }, encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt") VALUES ('u', 'U', 'u@example.com', false, now(), now())`);
  await client.query(`INSERT INTO user_profile (user_id, python_proficiency, developer_role, onboarding_completed) VALUES ('u', 'advanced', 'backend', true)`);
  await client.query(
    `INSERT INTO session (id, "expiresAt", token, "createdAt", "updatedAt", "userId")
     SELECT md5('s' || g), now() + interval '7 days', md5('t' || g), now(), now(), 'u' FROM generate_series(1, $1) g`, [n]);
  await client.query("VACUUM ANALYZE session");
  // The fill's dirty pages are written now, not by a background checkpoint during the measurements.
  await client.query("CHECKPOINT");
  const { rows: [{ token }] } = await client.query(`SELECT md5('t' || ($1::int / 2)) AS token`, [n]);
  await client.end();
  return { url: db.url, token: token as string, drop: db.drop };
}

/** Signs a reader up on `base` and completes the profile; returns the session cookie (`name=value`). */
async function completeReader(base: string, email: string, password: string): Promise<string> {
  const post = (path: string, body: object, cookie?: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  const up = await post("/api/auth/sign-up/email", { email, password, name: "Bench" });
  const cookie = up.headers.getSetCookie()[0]!.split(";")[0]!;
  const profile = await post("/api/auth/profile", { pythonProficiency: "advanced", developerRole: "backend" }, cookie);
  if (!up.ok || !profile.ok) throw new Error(`sign-up ${up.status}, profile ${profile.status}`);
  return cookie;
}

/** How long after a sign-out returns the backend first refuses the signed-out cookie (polled every 2 ms). */
async function revocationDelay(base: string, backend: string, password: string, runs = 20) {
  const delays: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cookie = await completeReader(base, `revoke-${i}@example.com`, password);
    if ((await fetch(`${backend}/api/me`, { headers: { cookie } })).status !== 200) throw new Error("not cached");
    await fetch(`${base}/api/auth/sign-out`, { method: "POST", headers: { "content-type": "application/json", origin: base, cookie }, body: "{}" });
    const signedOut = performance.now();
    while ((await fetch(`${backend}/api/me`, { headers: { cookie } })).status === 200) {
      if (performance.now() - signedOut > 5000) throw new Error("sign-out not seen within 5 s");
      await new Promise((r) => setTimeout(r, 2));
    }
    delays.push(performance.now() - signedOut);
  }
  delays.sort((a, b) => a - b);
  return { runs, p50: delays[runs >> 1]!, max: delays[runs - 1]! };
}

async function signInLatency(base: string, email: string, password: string, runs = 20) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await fetch(`${base}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email, password }),
    });
    if (!r.ok) throw new Error(`sign-in ${r.status}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: times[runs >> 1]!, p99: times[runs - 1]! };
}

const postgres = await startTestPostgres();
try {
  process.env.TEST_PG_URL = postgres.url;
  const db = await createTestDatabase();
  const secret = randomBytes(32).toString("base64");
  const [nodePort, plainPort, backendPort, jwtPort, openPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const origin = `http://127.0.0.1:${nodePort}`;
  const common = { DATABASE_URL: db.url, BETTER_AUTH_SECRET: secret, PUBLIC_URL: origin };

  start(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    ...common, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(nodePort), START_BACKEND: "false",
    BACKEND_URL: `http://127.0.0.1:${backendPort}`, RATE_LIMIT: "false", JWT_EXPIRATION: "1h",
  });
  await waitFor(`${origin}/api/auth/ok`); // it has migrated: the backends need its tables
  // The same server code on a copy of the build without its protection manifest: the same files, no check.
  const siteDir = path.join(ROOT, "apps/site/build");
  const openSite = mkdtempSync(path.join(os.tmpdir(), "bench-site-"));
  cpSync(siteDir, openSite, { recursive: true });
  rmSync(path.join(openSite, "protected-manifest.json"));
  start(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    ...common, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(openPort), START_BACKEND: "false", SITE_DIR: openSite,
    BACKEND_URL: `http://127.0.0.1:${backendPort}`, RATE_LIMIT: "false",
  });
  const uvicorn = (port: number, env: Record<string, string>) =>
    start(PYTHON, ["-m", "app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log", "--log-level", "warning"],
      { ...common, ...env }, path.join(ROOT, "apps/backend"));
  uvicorn(backendPort, {});
  uvicorn(jwtPort, { AUTH_MODE: "jwt", JWKS_URL: `${origin}/api/auth/jwks` });
  start(process.execPath, ["--import", "tsx", "bench/plain-better-auth.ts"], { ...common, PORT: String(plainPort), PUBLIC_URL: `http://127.0.0.1:${plainPort}` });
  await Promise.all([
    waitFor(`http://127.0.0.1:${backendPort}/api/health`),
    waitFor(`http://127.0.0.1:${jwtPort}/api/health`),
    waitFor(`http://127.0.0.1:${plainPort}/api/auth/ok`),
    waitFor(`http://127.0.0.1:${openPort}/api/auth/ok`),
  ]);

  // One complete reader, signed in through the real server.
  const password = "bench password 123";
  const cookie = await completeReader(origin, "bench@example.com", password);
  const jwt = (await (await fetch(`${origin}/api/auth/token`, { headers: { cookie } })).json()).token as string;
  const plainOrigin = `http://127.0.0.1:${plainPort}`;
  await fetch(`${plainOrigin}/api/auth/sign-up/email`, {
    method: "POST", headers: { "content-type": "application/json", origin: plainOrigin },
    body: JSON.stringify({ email: "plain@example.com", password, name: "Plain" }),
  });
  const token = decodeURIComponent(cookie.split("=")[1]!).split(".")[0]!;
  const backend = `http://127.0.0.1:${backendPort}`;

  const jwtUrl = `http://127.0.0.1:${jwtPort}`;
  // The largest protected chunk of the build: a chapter's compiled text.
  const manifest = JSON.parse(readFileSync(path.join(siteDir, "protected-manifest.json"), "utf8")) as { files: Record<string, { page?: boolean }> };
  const chunk = Object.keys(manifest.files).filter((f) => f.endsWith(".js")).sort((a, b) => readFileSync(path.join(siteDir, b)).length - readFileSync(path.join(siteDir, a)).length)[0]!;
  if ((await fetch(`${origin}/${chunk}`)).status !== 401) throw new Error(`${chunk} is not protected`);
  const readers = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => completeReader(origin, `reader-${i}@example.com`, password)));
  const targets = {
    health: () => load(`${backend}/api/health`),
    meDb: () => load(`${backend}/api/me`, { cookie }),
    meJwt: () => load(`${jwtUrl}/api/me`, { authorization: `Bearer ${jwt}` }),
    proxied: () => load(`${origin}/api/health`),
    plainGs: () => load(`${plainOrigin}/api/auth/get-session`, { cookie }),
    ourGs: () => load(`${origin}/api/auth/get-session`, { cookie }),
    chunkChecked: () => loadAsReaders(`${origin}/${chunk}`, readers),
    chunkOpen: () => loadAsReaders(`http://127.0.0.1:${openPort}/${chunk}`, readers),
  };
  type Name = keyof typeof targets;
  const names = Object.keys(targets) as Name[];

  // Every endpoint once per round, in a rotating order, and ratios taken within a round: the two cores are shared
  // with autocannon, so a figure drifts with whatever else runs; a ratio of neighbours drifts far less.
  console.error(`measuring: ${ROUNDS} rounds of ${names.length} endpoints, ${SECONDS} s each...`);
  const rounds: Record<Name, Figure>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = {} as Record<Name, Figure>;
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      round[name] = await targets[name]();
    }
    rounds.push(round);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const medianOf = (figures: Figure[]): Figure => ({
    rps: median(figures.map((f) => f.rps)),
    p50: median(figures.map((f) => f.p50)),
    p99: median(figures.map((f) => f.p99)),
  });
  const figure = (name: Name) => medianOf(rounds.map((r) => r[name]));
  const ratio = (name: Name, base: Name) => median(rounds.map((r) => r[name].rps / r[base].rps));

  const revocation = await revocationDelay(origin, backend, password);
  const ours = await signInLatency(origin, "bench@example.com", password);
  const plain = await signInLatency(plainOrigin, "plain@example.com", password);

  // Session table size: the same lookup on a table of 1,000 sessions and one of 1,000,000, alternated.
  console.error("filling 1,000 and 1,000,000 sessions...");
  const small = await sessionTable(1_000, secret);
  const large = await sessionTable(1_000_000, secret);
  const sizes: [Figure, Figure][] = [];
  for (let r = 0; r < ROUNDS; r++) sizes.push([rawLookup(small.url, small.token), rawLookup(large.url, large.token)]);
  const meDb = figure("meDb");
  const raw = rawLookup(db.url, token);
  const smallFig = medianOf(sizes.map(([s]) => s));
  const largeFig = medianOf(sizes.map(([, l]) => l));
  const sizeCost = median(sizes.map(([s, l]) => s.rps / l.rps));

  const fmt = (x: number | undefined, d = 0) => (x === undefined ? "" : x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));
  const line = (name: string, f: Figure, base: string, r: number, target: string, digits = 1) =>
    `| ${name} | ${fmt(f.rps)} | ${fmt(f.p50, digits)} | ${fmt(f.p99, digits)} | ${base} | ${r.toFixed(2)} | ${target} |`;
  const lines = [
    "| measurement | req/s | p50 ms | p99 ms | baseline | ratio | target |",
    "| --- | ---: | ---: | ---: | --- | ---: | --- |",
    line("python GET /api/health", figure("health"), "itself", 1, "baseline"),
    line("python GET /api/me, database mode", meDb, "/api/health", ratio("meDb", "health"), ">= 0.5"),
    line("python GET /api/me, JWT mode", figure("meJwt"), "/api/health", ratio("meJwt", "health"), ">= 0.3"),
    line("session lookup query alone (psycopg, uncached)", raw, "/api/me db mode", raw.rps / meDb.rps, "floor without the cache"),
    line("node /api/health (proxied)", figure("proxied"), "backend's own port", ratio("proxied", "health"), ">= 0.7"),
    line("plain Better-Auth get-session", figure("plainGs"), "itself", 1, "baseline"),
    line("our get-session (with profile)", figure("ourGs"), "plain get-session", ratio("ourGs", "plainGs"), ">= 1.0"),
    line("python /api/me vs Better-Auth get-session", meDb, "plain get-session", ratio("meDb", "plainGs"), ">= 10"),
    line(`a chapter's chunk, no check (protection off), ${CONNECTIONS} readers`, figure("chunkOpen"), "itself", 1, "baseline"),
    line(`the same chunk protected, ${CONNECTIONS} complete readers`, figure("chunkChecked"), "same file, no check", ratio("chunkChecked", "chunkOpen"), ">= 0.7"),
    `| sign-out until /api/me answers 401 (${revocation.runs} sign-outs) | | ${fmt(revocation.p50, 1)} | ${fmt(revocation.max, 1)} (max) | | | <= 100 ms |`,
    `| sign-in, argon2id 19 MiB t=2 (ours) | | ${fmt(ours.p50, 1)} | ${fmt(ours.p99, 1)} | plain Better-Auth scrypt: ${fmt(plain.p50, 1)} ms | ${(ours.p50 / plain.p50).toFixed(2)} | cost, not speed |`,
    line("lookup query, 1,000 sessions", smallFig, "itself", 1, "baseline", 2),
    `| lookup query, 1,000,000 sessions | ${fmt(largeFig.rps)} | ${fmt(largeFig.p50, 2)} | ${fmt(largeFig.p99, 2)} | 1,000 sessions | cost ${sizeCost.toFixed(2)} | cost <= 1.2 |`,
  ];
  console.log(`\nLoad: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per endpoint, ${ROUNDS} rounds (medians), one uvicorn worker.\n`);
  console.log(lines.join("\n"));
  await stopChildren();
  rmSync(openSite, { recursive: true, force: true });
  await Promise.all([db.drop(), small.drop(), large.drop()]);
} finally {
  await stopChildren();
  await postgres.stop();
}
process.exit(0);
