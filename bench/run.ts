/**
 * `npm run bench`: one run, one machine, loopback only, bounded in time (about two minutes). Every figure is
 * printed beside its baseline from the same run, with the ratio and the target. Not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { createTestDatabase, freePort, startTestPostgres } from "../scripts/test-postgres.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const PYTHON = path.join(ROOT, ".venv/bin/python");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const children: ChildProcess[] = [];

interface Figure { rps: number; p50: number; p99: number }

async function load(url: string, headers: Record<string, string> = {}): Promise<Figure> {
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
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
  const [nodePort, plainPort, backendPort, jwtPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const origin = `http://127.0.0.1:${nodePort}`;
  const common = { DATABASE_URL: db.url, BETTER_AUTH_SECRET: secret, PUBLIC_URL: origin };

  start(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    ...common, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(nodePort), START_BACKEND: "false",
    BACKEND_URL: `http://127.0.0.1:${backendPort}`, RATE_LIMIT: "false", JWT_EXPIRATION: "1h",
  });
  await waitFor(`${origin}/api/auth/ok`); // it has migrated: the backends need its tables
  const uvicorn = (port: number, env: Record<string, string>) =>
    start(PYTHON, ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log", "--log-level", "warning"],
      { ...common, ...env }, path.join(ROOT, "apps/backend"));
  uvicorn(backendPort, {});
  uvicorn(jwtPort, { AUTH_MODE: "jwt", JWKS_URL: `${origin}/api/auth/jwks` });
  start(process.execPath, ["--import", "tsx", "bench/plain-better-auth.ts"], { ...common, PORT: String(plainPort), PUBLIC_URL: `http://127.0.0.1:${plainPort}` });
  await Promise.all([
    waitFor(`http://127.0.0.1:${backendPort}/api/health`),
    waitFor(`http://127.0.0.1:${jwtPort}/api/health`),
    waitFor(`http://127.0.0.1:${plainPort}/api/auth/ok`),
  ]);

  // One complete reader, signed in through the real server.
  const password = "bench password 123";
  const up = await fetch(`${origin}/api/auth/sign-up/email`, {
    method: "POST", headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email: "bench@example.com", password, name: "Bench" }),
  });
  const cookie = up.headers.getSetCookie()[0]!.split(";")[0]!;
  await fetch(`${origin}/api/auth/profile`, {
    method: "POST", headers: { "content-type": "application/json", origin, cookie },
    body: JSON.stringify({ pythonProficiency: "advanced", developerRole: "backend" }),
  });
  const jwt = (await (await fetch(`${origin}/api/auth/token`, { headers: { cookie } })).json()).token as string;
  const plainOrigin = `http://127.0.0.1:${plainPort}`;
  await fetch(`${plainOrigin}/api/auth/sign-up/email`, {
    method: "POST", headers: { "content-type": "application/json", origin: plainOrigin },
    body: JSON.stringify({ email: "plain@example.com", password, name: "Plain" }),
  });
  const token = decodeURIComponent(cookie.split("=")[1]!).split(".")[0]!;
  const backend = `http://127.0.0.1:${backendPort}`;

  const rows: [string, Figure | { p50: number; p99: number; rps?: number }, string, number, string][] = [];
  const row = (name: string, f: Figure, base: string, baseFigure: Figure, target: string) =>
    rows.push([name, f, base, f.rps / baseFigure.rps, target]);

  console.error("measuring (about two minutes)...");
  const health = await load(`${backend}/api/health`);
  row("python GET /api/health", health, "itself", health, "baseline");
  row("python GET /api/me, database mode", await load(`${backend}/api/me`, { cookie }), "/api/health", health, ">= 0.5");
  row("python GET /api/me, JWT mode", await load(`http://127.0.0.1:${jwtPort}/api/me`, { authorization: `Bearer ${jwt}` }), "/api/health", health, ">= 0.3");
  const meDb = await load(`${backend}/api/me`, { cookie });
  const raw = rawLookup(db.url, token);
  row("session lookup query alone (psycopg)", raw, "/api/me db mode", meDb, "floor");
  row("node /api/health (proxied)", await load(`${origin}/api/health`), "backend's own port", health, ">= 0.7");
  const plainGs = await load(`${plainOrigin}/api/auth/get-session`, { cookie });
  row("plain Better-Auth get-session", plainGs, "itself", plainGs, "baseline");
  row("our get-session (with profile)", await load(`${origin}/api/auth/get-session`, { cookie }), "plain get-session", plainGs, ">= 1.0");
  row("python /api/me vs Better-Auth get-session", meDb, "plain get-session", plainGs, ">= 10");

  const ours = await signInLatency(origin, "bench@example.com", password);
  const plain = await signInLatency(plainOrigin, "plain@example.com", password);

  // Session table size: 1,000 rows, then 1,000,000.
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const fill = (n: number) => client.query(
    `INSERT INTO session (id, "expiresAt", token, "createdAt", "updatedAt", "userId")
     SELECT md5('s' || g || $2), now() + interval '7 days', md5('t' || g || $2), now(), now(), (SELECT id FROM "user" LIMIT 1)
     FROM generate_series(1, $1) g`, [n, randomBytes(4).toString("hex")]);
  const { rows: [{ n }] } = await client.query(`SELECT count(*)::int AS n FROM session`);
  await fill(1000 - n);
  await client.query("ANALYZE session");
  const small = rawLookup(db.url, token);
  console.error("filling 1,000,000 sessions...");
  await fill(999_000);
  await client.query("ANALYZE session");
  const large = rawLookup(db.url, token);
  await client.end();

  const fmt = (x: number | undefined, d = 0) => (x === undefined ? "" : x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));
  const lines = [
    "| measurement | req/s | p50 ms | p99 ms | baseline | ratio | target |",
    "| --- | ---: | ---: | ---: | --- | ---: | --- |",
    ...rows.map(([name, f, base, ratio, target]) => `| ${name} | ${fmt(f.rps)} | ${fmt(f.p50, 1)} | ${fmt(f.p99, 1)} | ${base} | ${ratio.toFixed(2)} | ${target} |`),
    `| sign-in, argon2id 19 MiB t=2 (ours) | | ${fmt(ours.p50, 1)} | ${fmt(ours.p99, 1)} | plain Better-Auth scrypt: ${fmt(plain.p50, 1)} ms | ${(ours.p50 / plain.p50).toFixed(2)} | cost, not speed |`,
    `| lookup query, 1,000 sessions | ${fmt(small.rps)} | ${fmt(small.p50, 2)} | ${fmt(small.p99, 2)} | itself | 1.00 | baseline |`,
    `| lookup query, 1,000,000 sessions | ${fmt(large.rps)} | ${fmt(large.p50, 2)} | ${fmt(large.p99, 2)} | 1,000 sessions | cost ${(small.rps / large.rps).toFixed(2)} | cost <= 1.2 |`,
  ];
  console.log(`\nLoad: autocannon, ${CONNECTIONS} connections, ${SECONDS} s each, one uvicorn worker, on this machine.\n`);
  console.log(lines.join("\n"));
  await db.drop();
} finally {
  for (const child of children) child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1500));
  await postgres.stop();
}
process.exit(0);
