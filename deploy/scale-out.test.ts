/**
 * The product as more than one process per server, the way anyone outgrowing one machine runs it:
 * - HAProxy (deploy/haproxy.cfg) in front of two Node servers, each proxying to its own Python backend running two
 *   uvicorn workers, all on one PostgreSQL;
 * - PgBouncer in transaction mode (what Neon's pooled endpoint is) between both servers and PostgreSQL, with LISTEN
 *   on the direct URL.
 * Clients speak from distinct loopback addresses (127.0.0.x), so the balancer's X-Forwarded-For carries real,
 * different client addresses to the Node servers, as in production.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import pg from "pg";
import { createTestDatabase, freePort } from "../scripts/test-postgres.mjs";
import { startPythonBackend } from "../apps/server/src/testing/backend";
import { startHaproxy, startNodeServer, startPgbouncer, type Balancer, type Child } from "../apps/server/src/testing/processes";

const PASSWORD = "correct horse battery";
const PROFILE = { pythonProficiency: "advanced", developerRole: "devops" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  json: any;
  setCookie: string[];
}

/**
 * One request on a new connection from `source` (a loopback address), as a browser on `origin` would send it. A
 * connection of its own each time, so that every uvicorn worker and both Node servers get their share.
 */
function send(
  url: string,
  method: string,
  path: string,
  { source = "127.0.0.1", cookie, body, origin }: { source?: string; cookie?: string; body?: unknown; origin?: string } = {},
): Promise<Answer> {
  const target = new URL(path, url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (payload !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers.origin = origin ?? url;
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, method, path: target.pathname + target.search, headers, localAddress: source, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let json: any = undefined;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode!, json, setCookie: response.headers["set-cookie"] ?? [] });
        });
        response.on("error", reject);
      },
    );
    request.setTimeout(10_000, () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end(payload);
  });
}

const sessionCookie = (answer: Answer) => answer.setCookie.find((c) => c.startsWith("better-auth.session_token="))!.split(";")[0]!;

describe("two Node servers behind HAProxy, each with a two-worker Python backend, on one PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let nodes: Child[] = [];
  let pythons: Awaited<ReturnType<typeof startPythonBackend>>[] = [];
  let balancer: Balancer;
  let n = 0;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const secret = randomBytes(32).toString("base64");
    const frontPort = await freePort();
    const publicUrl = `http://127.0.0.1:${frontPort}`;
    const backendPorts = [await freePort(), await freePort()];
    // Both start at once: their migrations run concurrently against the same database.
    nodes = await Promise.all(
      backendPorts.map((port) =>
        startNodeServer({
          DATABASE_URL: db.url,
          BETTER_AUTH_SECRET: secret,
          PUBLIC_URL: publicUrl,
          BACKEND_URL: `http://127.0.0.1:${port}`,
          TRUST_PROXY: "true",
          RATE_LIMIT: "true",
        }),
      ),
    );
    pythons = await Promise.all(
      backendPorts.map((port) => startPythonBackend({ port, databaseUrl: db.url, secret, publicUrl, workers: 2 })),
    );
    // The balancer's address is the public origin the Node servers are configured with.
    balancer = await startHaproxy(frontPort, nodes.map((node) => node.url), "250ms");
  });

  after(async () => {
    await balancer?.stop();
    for (const python of pythons) await python.stop();
    for (const node of nodes) await node.stop();
    await pool?.end();
    await db?.drop();
  });

  /** A reader signed up through the balancer from `source`, onboarded; returns its cookie and id. */
  async function reader(source: string) {
    const email = `scale-${++n}@example.com`;
    const up = await send(balancer.url, "POST", "/api/auth/sign-up/email", { source, body: { email, password: PASSWORD, name: "S" } });
    assert.equal(up.status, 200, JSON.stringify(up.json));
    const cookie = sessionCookie(up);
    assert.equal((await send(balancer.url, "POST", "/api/auth/profile", { source, cookie, body: PROFILE })).status, 200);
    return { email, cookie, id: up.json.user.id as string };
  }

  test("sign up through the balancer, sign in on one Node server, read on the other", async () => {
    const { email } = await reader("127.0.0.2");
    // The origin the browser is on is the balancer's; each server is reached directly here to pin the instance.
    const signIn = await send(nodes[0]!.url, "POST", "/api/auth/sign-in/email", {
      origin: balancer.url,
      body: { email, password: PASSWORD },
    });
    assert.equal(signIn.status, 200);
    const cookie = sessionCookie(signIn);
    const session = await send(nodes[1]!.url, "GET", "/api/auth/get-session", { cookie });
    assert.equal(session.json?.user?.email, email);
    assert.equal(session.json?.user?.profileComplete, true);
    const me = await send(nodes[1]!.url, "GET", "/api/me", { cookie });
    assert.deepEqual([me.status, me.json?.user?.email], [200, email]);
    for (const python of pythons) assert.equal((await send(python.url, "GET", "/api/me", { cookie })).status, 200);
  });

  test("the sign-in throttle and the rate limits are shared by both Node servers", async () => {
    const victim = await reader("127.0.0.3");
    // Failed sign-ins for one account from one address, alternating between the servers (round robin): the fifth
    // failure anywhere closes the account to that address everywhere.
    const guesses: Answer[] = [];
    for (let i = 0; i < 6; i++) {
      guesses.push(await send(balancer.url, "POST", "/api/auth/sign-in/email", { source: "127.0.0.4", body: { email: victim.email, password: `wrong-${i}-guess` } }));
    }
    assert.deepEqual(guesses.map((g) => g.status), [401, 401, 401, 401, 401, 429]);
    assert.equal(guesses[5]!.json?.code, "TOO_MANY_ATTEMPTS");
    // Better-Auth's per-address limit (10 sign-ins a minute), counted in PostgreSQL: spread over both servers, the
    // eleventh from one address is refused.
    const stuffed: Answer[] = [];
    for (let i = 0; i < 11; i++) {
      stuffed.push(await send(balancer.url, "POST", "/api/auth/sign-in/email", { source: "127.0.0.5", body: { email: `nobody-${i}@example.com`, password: "x1234567" } }));
    }
    assert.deepEqual(stuffed.slice(0, 10).map((r) => r.status), Array(10).fill(401));
    assert.deepEqual([stuffed[10]!.status, stuffed[10]!.json?.code], [429, "RATE_LIMITED"]);
    // Control: another address is not held back by either limit.
    const other = await send(balancer.url, "POST", "/api/auth/sign-in/email", { source: "127.0.0.6", body: { email: victim.email, password: PASSWORD } });
    assert.equal(other.status, 200);
  });

  test("a sign-out on one Node server is refused by every server and every uvicorn worker within 100 ms", async () => {
    const { cookie } = await reader("127.0.0.7");
    // Warm every process's cache: 12 new connections per backend reach both of its workers.
    for (const python of pythons) {
      const warm = await Promise.all(Array.from({ length: 12 }, () => send(python.url, "GET", "/api/me", { cookie })));
      assert.deepEqual(warm.map((r) => r.status), Array(12).fill(200));
    }
    for (const node of nodes) assert.ok((await send(node.url, "GET", "/api/auth/get-session", { cookie })).json?.user);
    const signOut = await send(nodes[0]!.url, "POST", "/api/auth/sign-out", { cookie, origin: balancer.url, body: {} });
    assert.equal(signOut.status, 200);
    const signedOutAt = Date.now();
    /** Every answer any server or worker gives that still accepts the session. */
    const stillAccepted = async () => {
      const answers = await Promise.all([
        ...pythons.flatMap((python) => Array.from({ length: 12 }, () => send(python.url, "GET", "/api/me", { cookie }))),
        ...nodes.map((node) => send(node.url, "GET", "/api/me", { cookie })),
      ]);
      const sessions = await Promise.all(nodes.map((node) => send(node.url, "GET", "/api/auth/get-session", { cookie })));
      return answers.filter((a) => a.status !== 401).length + sessions.filter((s) => s.json !== null).length;
    };
    // Asked until every answer refuses, not once after a fixed sleep: the test fails only if a round sent 100 ms
    // or more after the sign-out still found the session accepted.
    for (let round = 0; round < 1_000; round++) {
      const sentAt = Date.now();
      const accepted = await stillAccepted();
      if (accepted === 0) break;
      if (sentAt - signedOutAt >= 100) {
        // Say how late it was, for the failure message.
        while ((await stillAccepted()) > 0 && Date.now() - signedOutAt < 3_000) await sleep(20);
        assert.fail(`${accepted} answers still accepted the session ${sentAt - signedOutAt} ms after sign-out; all refused after ${Date.now() - signedOutAt} ms`);
      }
    }
  });

  test("a Node server killed during a load run: no acknowledged write is lost, and the health check takes it out", async () => {
    // Bounded: 24 readers, each signing up, onboarding and writing 3 chapters, 6 at a time.
    const acknowledged = { users: [] as string[], profiles: [] as string[], chapters: [] as [string, string][] };
    let killed = false;
    const journey = async (i: number) => {
      const source = `127.0.1.${(i % 200) + 1}`;
      const email = `load-${i}-${++n}@example.com`;
      const up = await send(balancer.url, "POST", "/api/auth/sign-up/email", { source, body: { email, password: PASSWORD, name: "L" } }).catch(() => null);
      if (up?.status !== 200) return;
      acknowledged.users.push(up.json.user.id);
      const cookie = sessionCookie(up);
      const profile = await send(balancer.url, "POST", "/api/auth/profile", { source, cookie, body: PROFILE }).catch(() => null);
      if (profile?.status !== 200) return;
      acknowledged.profiles.push(up.json.user.id);
      for (const chapter of ["intro", "variables", "functions"]) {
        const put = await send(balancer.url, "PUT", "/api/progress", { source, cookie, body: { chapter, completed: true } }).catch(() => null);
        if (put?.status === 200) acknowledged.chapters.push([up.json.user.id, chapter]);
      }
    };
    const queue = Array.from({ length: 24 }, (_, i) => i);
    const workers = Array.from({ length: 6 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        if (i === 8 && !killed) {
          killed = true;
          nodes[0]!.child.kill("SIGKILL");
        }
        await journey(i);
      }
    });
    await Promise.all(workers);
    assert.ok(killed);

    const { rows: users } = await pool.query(`SELECT id FROM "user" WHERE id = ANY($1)`, [acknowledged.users]);
    assert.equal(users.length, acknowledged.users.length, "every acknowledged sign-up is stored");
    const { rows: profiles } = await pool.query(`SELECT user_id FROM user_profile WHERE onboarding_completed AND user_id = ANY($1)`, [acknowledged.profiles]);
    assert.equal(profiles.length, acknowledged.profiles.length, "every acknowledged onboarding is stored");
    const { rows: chapters } = await pool.query(`SELECT user_id, chapter FROM reading_progress WHERE user_id = ANY($1)`, [acknowledged.users]);
    const stored = new Set(chapters.map((r) => `${r.user_id}/${r.chapter}`));
    assert.deepEqual(acknowledged.chapters.filter(([u, c]) => !stored.has(`${u}/${c}`)), [], "every acknowledged progress write is stored");
    // Most of the run went through: the survivor carried the load once the balancer noticed.
    assert.ok(acknowledged.chapters.length >= 3 * 12, `${acknowledged.chapters.length} progress writes acknowledged`);

    for (let i = 0; i < 50 && (await balancer.states()).node1 !== "DOWN"; i++) await sleep(100);
    assert.deepEqual(await balancer.states(), { node1: "DOWN", node2: "UP" });
    const after = await Promise.all(Array.from({ length: 10 }, () => send(balancer.url, "GET", "/api/health")));
    assert.deepEqual(after.map((r) => r.status), Array(10).fill(200));
  });
});

describe("both servers behind PgBouncer in transaction mode, LISTEN on the direct URL", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let bouncer: Child;
  const secret = randomBytes(32).toString("base64");
  const started: { stop(): Promise<void> }[] = [];

  before(async () => {
    db = await createTestDatabase();
    bouncer = await startPgbouncer(db.url);
  });
  after(async () => {
    for (const s of started.reverse()) await s.stop();
    await bouncer?.stop();
    await db?.drop();
  });

  async function node(backendPort: number, listenUrl = db.url) {
    const port = await freePort();
    const server = await startNodeServer({
      PORT: String(port),
      DATABASE_URL: bouncer.url,
      BETTER_AUTH_SECRET: secret,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      BACKEND_URL: `http://127.0.0.1:${backendPort}`,
      DATABASE_LISTEN_URL: listenUrl,
      RATE_LIMIT: "false",
    });
    started.push(server);
    return server;
  }

  async function python(port: number, publicUrl: string, listenUrl: string) {
    const backend = await startPythonBackend({
      port,
      databaseUrl: bouncer.url,
      secret,
      publicUrl,
      env: { PGBOUNCER: "true", DATABASE_LISTEN_URL: listenUrl },
    });
    started.push(backend);
    return backend;
  }

  test("migrations run through the pooler, from several servers at once and again later", async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    await Promise.all(ports.slice(0, 2).map((p) => node(p)));
    await node(ports[2]!); // a later start finds no lock left behind on a pooled server connection
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
    await client.end();
    assert.equal(rows[0].n, 0, "no advisory lock is held once the servers are up");
  });

  test("the cross-language journey, and a sign-out refused by the backend within 100 ms", async () => {
    const backendPort = await freePort();
    const server = await node(backendPort);
    const backend = await python(backendPort, server.url, db.url);
    const up = await send(server.url, "POST", "/api/auth/sign-up/email", { body: { email: "pooled@example.com", password: PASSWORD, name: "P" } });
    assert.equal(up.status, 200);
    const cookie = sessionCookie(up);
    const before = await send(backend.url, "GET", "/api/me", { cookie });
    assert.deepEqual([before.status, before.json?.code], [403, "PROFILE_INCOMPLETE"]);
    assert.equal((await send(server.url, "POST", "/api/auth/profile", { cookie, body: PROFILE })).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await send(server.url, "GET", "/api/me", { cookie })).status, 200);
    // Both servers' memory caches work with every query through the pooler and LISTEN on the direct URL.
    assert.equal((await send(backend.url, "GET", "/api/health")).json?.sessionCache, "on");
    let nodeCache = "";
    for (let i = 0; i < 50 && nodeCache !== "on"; i++, await sleep(100)) nodeCache = (await send(server.url, "GET", "/healthz")).json?.sessionCache;
    assert.equal(nodeCache, "on");
    assert.equal((await send(server.url, "GET", "/api/auth/get-session", { cookie })).json?.user?.email, "pooled@example.com");
    assert.equal((await send(server.url, "POST", "/api/auth/sign-out", { cookie, body: {} })).status, 200);
    const signedOutAt = Date.now();
    // Asked until refused rather than once after a fixed sleep; only an answer to a request sent within 100 ms counts.
    let out = await send(backend.url, "GET", "/api/me", { cookie });
    for (let sentAt = signedOutAt; out.status === 200 && sentAt - signedOutAt < 100; ) {
      sentAt = Date.now();
      out = await send(backend.url, "GET", "/api/me", { cookie });
    }
    assert.deepEqual([out.status, out.json?.code], [401, "UNAUTHENTICATED"]);
    assert.equal((await send(server.url, "GET", "/api/auth/get-session", { cookie })).json, null);
  });

  test("LISTEN wrongly pointed at the pooler: the Python session cache switches itself off, revocation still holds", async () => {
    const backendPort = await freePort();
    const server = await node(backendPort, bouncer.url);
    const backend = await python(backendPort, server.url, bouncer.url);
    const up = await send(server.url, "POST", "/api/auth/sign-up/email", { body: { email: "misrouted@example.com", password: PASSWORD, name: "M" } });
    const cookie = sessionCookie(up);
    assert.equal((await send(server.url, "POST", "/api/auth/profile", { cookie, body: PROFILE })).status, 200);
    // The probe cannot come back through a transaction pooler: within a few heartbeats the cache is off.
    let state = "";
    for (let i = 0; i < 100 && state !== "off"; i++, await sleep(100)) state = (await send(backend.url, "GET", "/api/health")).json?.sessionCache;
    assert.equal(state, "off");
    assert.equal((await send(server.url, "GET", "/healthz")).json?.sessionCache, "off");
    for (let i = 0; i < 5; i++) assert.equal((await send(backend.url, "GET", "/api/me", { cookie })).status, 200);
    assert.equal((await send(server.url, "POST", "/api/auth/sign-out", { cookie, body: {} })).status, 200);
    const out = await send(backend.url, "GET", "/api/me", { cookie });
    assert.deepEqual([out.status, out.json?.code], [401, "UNAUTHENTICATED"]);
    assert.equal((await send(server.url, "GET", "/api/auth/get-session", { cookie })).json, null);
  });
});
