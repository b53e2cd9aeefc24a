/**
 * get-session's fast path against Better-Auth's own handler (with the onboarding plugin, as configured in auth.ts):
 * for every state of a session and every request shape, either the fast path answers exactly what Better-Auth
 * answers, or it steps aside. Options that make Better-Auth's get-session do more switch the fast path off.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { loadConfig } from "../config";
import { authOptions, createAuth } from "../auth/auth";
import { migrate } from "../database/migrate";
import { createFastGetSession } from "./fast-get-session";
import { createSessionLookup, type SessionLookup } from "./lookup";
import { TEST_SECRET } from "../testing/server";

const ORIGIN = "http://127.0.0.1:3999";
const SESSION_COOKIE = "better-auth.session_token";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let auth: ReturnType<typeof createAuth>;
let lookup: SessionLookup;
let server: Server;
let url: string;
let n = 0;

before(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  const config = loadConfig({ NODE_ENV: "test", PUBLIC_URL: ORIGIN, DATABASE_URL: db.url, BETTER_AUTH_SECRET: TEST_SECRET, RATE_LIMIT: "false" });
  await migrate(pool, authOptions(config, pool, TEST_SECRET));
  auth = createAuth(config, pool, TEST_SECRET);
  lookup = createSessionLookup({ pool, databaseUrl: db.url, cache: true, ttlMs: 60_000 });
  const answer = (await createFastGetSession({ auth, secret: TEST_SECRET, lookup, responseHeaders: {} }))!;
  // The fast path alone on a port: what it does not answer comes back as 599.
  server = createServer((req, res) => {
    answer(req, res).then((answered) => answered || res.writeHead(599).end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await lookup.stop();
  await pool.end();
  await db.drop();
});

async function betterAuth(path: string, init: { method?: string; cookie?: string; body?: unknown } = {}) {
  const headers = new Headers({ origin: ORIGIN });
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return auth.handler(new Request(ORIGIN + path, { method: init.method ?? "GET", headers, body }));
}

/** A signed-up reader's session cookie, onboarded unless `complete` is false. */
async function reader(complete = true) {
  const up = await betterAuth("/api/auth/sign-up/email", { method: "POST", body: { email: `fast-${++n}@example.com`, password: "correct horse battery", name: "F" } });
  assert.equal(up.status, 200);
  const cookie = up.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(";")[0]!;
  if (complete) assert.equal((await betterAuth("/api/auth/profile", { method: "POST", cookie, body: { pythonProficiency: "advanced", developerRole: "devops" } })).status, 200);
  return { cookie, token: decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)).split(".")[0]! };
}

/** Both answers to the same request; `fast` is null when the fast path stepped aside. */
async function both(cookie: string) {
  const fast = await fetch(url + "/api/auth/get-session", { headers: { cookie } });
  const theirs = await betterAuth("/api/auth/get-session", { cookie });
  return {
    fast: fast.status === 599 ? null : { status: fast.status, json: await fast.json(), headers: fast.headers },
    theirs: { status: theirs.status, json: await theirs.json(), headers: theirs.headers },
  };
}

const bodyHeaders = (h: Headers) => ({ type: h.get("content-type")?.split(";")[0], cache: h.get("cache-control"), pragma: h.get("pragma"), cookies: h.getSetCookie() });

describe("the fast path answers exactly what Better-Auth answers", () => {
  for (const complete of [true, false]) {
    test(`a live session, profile ${complete ? "complete" : "incomplete"}`, async () => {
      const { cookie } = await reader(complete);
      for (let i = 0; i < 2; i++) {
        // Twice: the second may come from memory.
        const { fast, theirs } = await both(cookie);
        assert.ok(fast, "the fast path answered");
        assert.equal(fast.status, theirs.status);
        assert.deepEqual(fast.json, theirs.json);
        assert.deepEqual(bodyHeaders(fast.headers), bodyHeaders(theirs.headers));
        assert.equal(fast.json.user.profileComplete, complete);
        assert.equal(fast.json.session.token, undefined);
      }
    });
  }


  test("a visitor: no cookie, or only cookies of others", async () => {
    for (const cookie of ["", "theme=dark; _ga=GA1.2.3"]) {
      const { fast, theirs } = await both(cookie);
      assert.ok(fast, "the fast path answered");
      assert.deepEqual([fast.status, fast.json], [theirs.status, theirs.json]);
      assert.equal(fast.json, null);
      assert.deepEqual(bodyHeaders(fast.headers), bodyHeaders(theirs.headers));
    }
  });
});

describe("the fast path steps aside where Better-Auth does more", () => {
  const steps = async (cookie: string) => assert.equal((await both(cookie)).fast, null);

  test("a session due for refresh (Better-Auth pushes its expiry back and sets the cookie again)", async () => {
    const { cookie, token } = await reader();
    await pool.query(`UPDATE session SET "expiresAt" = now() + interval '5 days' WHERE token = $1`, [token]);
    const { fast, theirs } = await both(cookie);
    assert.equal(fast, null);
    assert.ok(theirs.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`)), "Better-Auth refreshed it");
  });

  test("an expired session, a deleted one, a forged signature, an unsigned token", async () => {
    const expired = await reader();
    await pool.query(`UPDATE session SET "expiresAt" = now() - interval '1 second' WHERE token = $1`, [expired.token]);
    await steps(expired.cookie);
    const deleted = await reader();
    await pool.query(`DELETE FROM session WHERE token = $1`, [deleted.token]);
    await steps(deleted.cookie);
    const live = await reader();
    await steps(`${SESSION_COOKIE}=${live.token}.${"A".repeat(43)}=`);
    await steps(`${SESSION_COOKIE}=${live.token}`);
  });

  test("Better-Auth's other session cookies (remember-me off, a cookie cache) and a bearer credential", async () => {
    const { cookie } = await reader();
    await steps(`${cookie}; better-auth.dont_remember=x`);
    await steps(`${cookie}; better-auth.session_data=x`);
    const withBearer = await fetch(url + "/api/auth/get-session", { headers: { cookie, authorization: "Bearer x" } });
    assert.equal(withBearer.status, 599);
  });

  for (const [name, change] of [
    ["a cookie cache", { session: { cookieCache: { enabled: true } } }],
    ["deferred session refresh", { session: { deferSessionRefresh: true } }],
    ["additional session fields", { session: { additionalFields: { device: { type: "string", required: false } } } }],
    ["additional user fields", { user: { additionalFields: { nickname: { type: "string", required: false } } } }],
    ["secondary storage", { secondaryStorage: { get: async () => null, set: async () => {}, delete: async () => {} } }],
  ] as const) {
    test(`options with ${name} switch the fast path off`, async () => {
      const options = { ...auth.options, ...change } as typeof auth.options;
      assert.equal(await createFastGetSession({ auth: { options, $context: auth.$context }, secret: TEST_SECRET, lookup, responseHeaders: {} }), null);
    });
  }
});

describe("memory", () => {
  test("a complete reader is served from memory, and forgotten when the session changes", async () => {
    for (let i = 0; i < 100 && lookup.state !== "on"; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(lookup.state, "on");
    // Read once (and kept), deleted with the triggers silenced: only memory can still answer. Tried with fresh readers
    // for up to 5 s: the notifications of a reader's own sign-up may still be arriving, and a read that raced one
    // is rightly not kept.
    let served = false;
    for (const deadline = Date.now() + 5_000; !served && Date.now() < deadline; ) {
      const { cookie, token } = await reader();
      assert.ok((await both(cookie)).fast);
      const client = await pool.connect();
      try {
        await client.query("BEGIN; SET LOCAL session_replication_role = replica");
        await client.query(`DELETE FROM session WHERE token = $1`, [token]);
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      served = (await both(cookie)).fast !== null;
    }
    assert.ok(served, "served from memory");
    // A deletion that notifies (a sign-out, a revocation): gone from memory within the bound.
    const other = await reader();
    assert.ok((await both(other.cookie)).fast);
    const deletedAt = Date.now();
    await pool.query(`DELETE FROM session WHERE token = $1`, [other.token]);
    // Asked until it is gone rather than once after a fixed sleep; only a lookup sent within the bound counts.
    for (let i = 0; i < 10_000; i++) {
      const sentAt = Date.now();
      if ((await both(other.cookie)).fast === null) break;
      assert.ok(sentAt - deletedAt < 100, `still served from memory ${sentAt - deletedAt} ms after the deletion`);
    }
    assert.equal((await both(other.cookie)).fast, null);
  });
});
