/**
 * `npm run bench`: one run, one machine, loopback only, bounded in time (about four minutes). Every figure is
 * printed beside its baseline from the same run, with the ratio and its target. Not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { Pool, type Dispatcher } from "undici";
import pg from "pg";
import { createTestDatabase, freePort, startTestPostgres } from "../scripts/test-postgres.mjs";
import { startStack, type Stack, type StackOptions } from "../apps/server/src/testing/stack";
import { SESSION_COOKIE } from "@textbook-auth/onboarding/contract";

const ROOT = path.resolve(import.meta.dirname, "..");
const PYTHON = path.join(ROOT, ".venv/bin/python");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const children: ChildProcess[] = [];
const stacks: Stack[] = [];

/** req/s, latency, and the CPU the serving processes spent per request (µs), which autocannon's own share cannot skew. */
interface Figure { rps: number; p50: number; p99: number; cpuUs: number }

const TICK_US = 1e6 / Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);

/** CPU time the processes have used so far, in µs (user + system, from /proc). */
function cpuUs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
  }
  return ticks * TICK_US;
}

/** Resident memory of a process, in MiB. */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** One measured autocannon run after an unmeasured second (connections opened, caches and the JIT warm). */
async function measure(options: autocannon.Options, pids: readonly number[]): Promise<Figure> {
  await autocannon({ ...options, duration: 1 });
  const before = cpuUs(pids);
  const r = await autocannon({ ...options, duration: SECONDS });
  const spent = cpuUs(pids) - before;
  if (r.non2xx || r.errors) throw new Error(`${options.url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuUs: spent / r.requests.total };
}

const load = (url: string, pids: readonly number[], headers: Record<string, string> = {}) =>
  measure({ url, headers, connections: CONNECTIONS }, pids);

/** Like load(), with each connection signed in as its own reader, as when many readers load pages at once. */
async function loadAsReaders(url: string, pids: readonly number[], cookies: readonly string[]): Promise<Figure> {
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
  return measure(options, pids);
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

const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const SOAK_READERS = Number(process.env.BENCH_SOAK_READERS ?? 1000);

/** `n` complete readers written straight into the database, and their signed session cookies. */
async function soakReaders(databaseUrl: string, secret: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const tokens = Array.from({ length: n }, () => randomBytes(24).toString("base64url"));
  await client.query(
    `INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt")
     SELECT 'soak-' || g, 'Soak', 'soak-' || g || '@example.com', false, now(), now() FROM generate_series(1, $1) g`, [n]);
  await client.query(
    `INSERT INTO user_profile (user_id, python_proficiency, developer_role, onboarding_completed)
     SELECT 'soak-' || g, 'advanced', 'backend', true FROM generate_series(1, $1) g`, [n]);
  await client.query(
    `INSERT INTO session (id, token, "userId", "expiresAt", "createdAt", "updatedAt")
     SELECT 'soak-' || i, t, 'soak-' || i, now() + interval '7 days', now(), now() FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i)`, [tokens]);
  await client.end();
  const sign = (token: string) => encodeURIComponent(`${token}.${createHmac("sha256", secret).update(token).digest("base64")}`);
  return tokens.map((token) => `${SESSION_COOKIE}=${sign(token)}`);
}

/**
 * The mixed soak: every reader loads a page (get-session, a protected chunk and /api/me at once, as a browser does),
 * writes its progress every fifth page, and reads for 2 to 8 s before the next (a brisk reader: real ones stay on a
 * chapter for minutes), for SOAK_SECONDS, through the one origin. Bounded in time, and in count by the readers' pace. Returns latencies per kind, errors, and the memory of
 * each server process before and after.
 */
async function soak(origin: string, chunk: string, cookies: readonly string[], processes: Record<string, number>) {
  const rssBefore = Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, rssMiB(p)]));
  const pool = new Pool(origin, { connections: 512 });
  const kinds: Record<string, number[]> = { "get-session": [], "protected chunk": [], "/api/me (proxied)": [], "PUT /api/progress (proxied)": [] };
  let errors = 0;
  const timed = async (kind: string, options: Dispatcher.RequestOptions) => {
    const t = performance.now();
    try {
      const r = await pool.request(options);
      await r.body.dump();
      if (r.statusCode !== 200) errors++;
    } catch {
      errors++;
    }
    kinds[kind]!.push(performance.now() - t);
  };
  const end = Date.now() + SOAK_SECONDS * 1000;
  await Promise.all(
    cookies.map(async (cookie) => {
      await sleep(Math.random() * 3000); // readers arrive over the first seconds, not all at once
      for (let page = 1; Date.now() < end; page++) {
        await Promise.all([
          timed("get-session", { method: "GET", path: "/api/auth/get-session", headers: { cookie } }),
          timed("protected chunk", { method: "GET", path: `/${chunk}`, headers: { cookie } }),
          timed("/api/me (proxied)", { method: "GET", path: "/api/me", headers: { cookie } }),
        ]);
        if (page % 5 === 0) {
          const body = JSON.stringify({ chapter: `chapter-${page % 7}`, completed: true });
          await timed("PUT /api/progress (proxied)", { method: "PUT", path: "/api/progress", headers: { cookie, origin, "content-type": "application/json" }, body });
        }
        await sleep(2000 + Math.random() * 6000);
      }
    }),
  );
  await pool.close();
  const rssAfter = Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, rssMiB(p)]));
  const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
  return {
    kinds: Object.entries(kinds).map(([kind, xs]) => ({ kind, count: xs.length, p50: pct(xs, 0.5), p99: pct(xs, 0.99) })),
    errors,
    rss: Object.keys(processes).map((name) => ({ name, before: rssBefore[name]!, after: rssAfter[name]! })),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  // Every server of the product is started by the module the tests use; their output is drained, not kept, so that
  // this process (which also runs autocannon) spends nothing on it.
  const up = async (options: StackOptions) => {
    const stack = await startStack({ databaseUrl: db.url, secret, output: "ignore", ...options });
    stacks.push(stack);
    return stack;
  };
  const product = await up({ nodeEnv: "production", backend: true, jwtExpiration: "1h" }); // Node migrates first
  const origin = product.url!;
  const backendUrl = product.backendUrl!;
  // The same server code on a copy of the build without its protection manifest: the same files, no check.
  const siteDir = path.join(ROOT, "apps/site/build");
  const openSite = mkdtempSync(path.join(os.tmpdir(), "bench-site-"));
  cpSync(siteDir, openSite, { recursive: true });
  rmSync(path.join(openSite, "protected-manifest.json"));
  const open = await up({ nodeEnv: "production", siteDir: openSite, backendUrl });
  const jwtBackend = await up({ node: false, migrate: false, backend: true, authMode: "jwt", publicUrl: origin });
  const plainPort = await freePort();
  const common = { DATABASE_URL: db.url, BETTER_AUTH_SECRET: secret, PUBLIC_URL: origin };
  const plainNode = start(process.execPath, ["--import", "tsx", "bench/plain-better-auth.ts"], { ...common, PORT: String(plainPort), PUBLIC_URL: `http://127.0.0.1:${plainPort}` });
  await waitFor(`http://127.0.0.1:${plainPort}/api/auth/ok`);
  const node = { pid: product.nodePid! };
  const python = { pid: product.backendPid! };
  const pythonJwt = { pid: jwtBackend.backendPid! };
  const openNode = { pid: open.nodePid! };
  const pid = (c: { pid?: number }) => [c.pid!];

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
  const backend = backendUrl;

  const jwtUrl = jwtBackend.backendUrl!;
  // The largest protected chunk of the build: a chapter's compiled text.
  const manifest = JSON.parse(readFileSync(path.join(siteDir, "protected-manifest.json"), "utf8")) as { files: Record<string, { page?: boolean }> };
  const chunk = Object.keys(manifest.files).filter((f) => f.endsWith(".js")).sort((a, b) => readFileSync(path.join(siteDir, b)).length - readFileSync(path.join(siteDir, a)).length)[0]!;
  if ((await fetch(`${origin}/${chunk}`)).status !== 401) throw new Error(`${chunk} is not protected`);
  const readers = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => completeReader(origin, `reader-${i}@example.com`, password)));
  // The CPU of a request is that of every process serving it: the proxy's row counts Node and uvicorn.
  const targets = {
    health: () => load(`${backend}/api/health`, pid(python)),
    meDb: () => load(`${backend}/api/me`, pid(python), { cookie }),
    meJwt: () => load(`${jwtUrl}/api/me`, pid(pythonJwt), { authorization: `Bearer ${jwt}` }),
    proxied: () => load(`${origin}/api/health`, [node.pid!, python.pid!]),
    proxiedMe: () => load(`${origin}/api/me`, [node.pid!, python.pid!], { cookie }),
    plainGs: () => load(`${plainOrigin}/api/auth/get-session`, pid(plainNode), { cookie }),
    ourGs: () => load(`${origin}/api/auth/get-session`, pid(node), { cookie }),
    ourGsVisitor: () => load(`${origin}/api/auth/get-session`, pid(node)),
    chunkChecked: () => loadAsReaders(`${origin}/${chunk}`, pid(node), readers),
    chunkOpen: () => loadAsReaders(`${open.url}/${chunk}`, pid(openNode), readers),
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
    cpuUs: median(figures.map((f) => f.cpuUs)),
  });
  const figure = (name: Name) => medianOf(rounds.map((r) => r[name]));
  const ratio = (name: Name, base: Name) => median(rounds.map((r) => r[name].rps / r[base].rps));

  const revocation = await revocationDelay(origin, backend, password);
  const ours = await signInLatency(origin, "bench@example.com", password);
  const plain = await signInLatency(plainOrigin, "plain@example.com", password);

  console.error(`soak: ${SOAK_READERS} readers for ${SOAK_SECONDS} s...`);
  const soaked = await soak(origin, chunk, await soakReaders(db.url, secret, SOAK_READERS), { "Node server": node.pid!, "uvicorn (database mode)": python.pid! });

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
    `| ${name} | ${fmt(f.rps)} | ${fmt(f.p50, digits)} | ${fmt(f.p99, digits)} | ${fmt(f.cpuUs)} | ${fmt(1e6 / f.cpuUs)} | ${base} | ${r.toFixed(2)} | ${target} |`;
  const met = (r: number, min: number) => `>= ${min} (${r >= min ? "met" : "missed"})`;
  const rows: [string, Name, string, number, number][] = [
    // [label, endpoint, baseline label, ratio, target]
    ["python GET /api/health", "health", "itself", 1, 0],
    ["python GET /api/me, database mode", "meDb", "/api/health", ratio("meDb", "health"), 0.6],
    ["python GET /api/me, JWT mode", "meJwt", "/api/health", ratio("meJwt", "health"), 0.3],
    ["node /api/health (proxied)", "proxied", "backend's own port", ratio("proxied", "health"), 0.8],
    ["node /api/me (proxied)", "proxiedMe", "backend's own port", ratio("proxiedMe", "meDb"), 0.8],
    ["plain Better-Auth get-session", "plainGs", "itself", 1, 0],
    ["our get-session, signed in (with profile)", "ourGs", "plain get-session", ratio("ourGs", "plainGs"), 5],
    ["our get-session, visitor", "ourGsVisitor", "plain get-session", ratio("ourGsVisitor", "plainGs"), 0],
    ["python /api/me vs Better-Auth get-session", "meDb", "plain get-session", ratio("meDb", "plainGs"), 10],
    [`a chapter's chunk, no check (protection off), ${CONNECTIONS} readers`, "chunkOpen", "itself", 1, 0],
    [`the same chunk protected, ${CONNECTIONS} complete readers`, "chunkChecked", "same file, no check", ratio("chunkChecked", "chunkOpen"), 0.7],
  ];
  const lines = [
    "| measurement | req/s | p50 ms | p99 ms | server CPU µs/req | req/s per core | baseline | ratio | target |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ...rows.map(([label, name, base, r, min]) => line(label, figure(name), base, r, min ? met(r, min) : "baseline")),
    line("session lookup query alone (psycopg, uncached)", { ...raw, cpuUs: NaN }, "/api/me db mode", raw.rps / meDb.rps, "floor without the cache"),
    `| sign-out until /api/me answers 401 (${revocation.runs} sign-outs) | | ${fmt(revocation.p50, 1)} | ${fmt(revocation.max, 1)} (max) | | | | | <= 100 ms (${revocation.max <= 100 ? "met" : "missed"}) |`,
    `| sign-in, argon2id 19 MiB t=2 (ours) | | ${fmt(ours.p50, 1)} | ${fmt(ours.p99, 1)} | | | plain Better-Auth scrypt: ${fmt(plain.p50, 1)} ms | ${(ours.p50 / plain.p50).toFixed(2)} | cost, not speed |`,
    line("lookup query, 1,000 sessions", { ...smallFig, cpuUs: NaN }, "itself", 1, "baseline", 2),
    `| lookup query, 1,000,000 sessions | ${fmt(largeFig.rps)} | ${fmt(largeFig.p50, 2)} | ${fmt(largeFig.p99, 2)} | | | 1,000 sessions | cost ${sizeCost.toFixed(2)} | cost <= 1.2 |`,
  ];
  console.log(`\nLoad: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per endpoint, ${ROUNDS} rounds (medians), one uvicorn worker.\n`);
  console.log(lines.join("\n"));
  const total = soaked.kinds.reduce((a, k) => a + k.count, 0);
  console.log(`\nMixed soak: ${SOAK_READERS} readers, ${SOAK_SECONDS} s, ${fmt(total)} requests (${fmt(total / SOAK_SECONDS)}/s), ${soaked.errors} errors.\n`);
  console.log(["| request | count | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |", ...soaked.kinds.map((k) => `| ${k.kind} | ${fmt(k.count)} | ${fmt(k.p50, 1)} | ${fmt(k.p99, 1)} |`)].join("\n"));
  const pageCpuUs = figure("ourGs").cpuUs + figure("chunkChecked").cpuUs + figure("proxiedMe").cpuUs;
  console.log(`\nOne page view (get-session, a protected chunk, /api/me through the proxy) costs ${fmt(pageCpuUs)} µs of server CPU: ${fmt(1e6 / pageCpuUs)} page views per second per core.`);
  console.log(["", "| process | RSS before, MiB | RSS after, MiB |", "| --- | ---: | ---: |", ...soaked.rss.map((r) => `| ${r.name} | ${fmt(r.before)} | ${fmt(r.after)} |`)].join("\n"));
  await stopChildren();
  for (const stack of stacks.splice(0)) await stack.stop();
  rmSync(openSite, { recursive: true, force: true });
  await Promise.all([db.drop(), small.drop(), large.drop()]);
} finally {
  await stopChildren();
  for (const stack of stacks.splice(0)) await stack.stop();
  await postgres.stop();
}
process.exit(0);
