/**
 * The differential test of what leans on Better-Auth internals (better-auth-internals.ts): the product's listener
 * (the pre-router with its get-session fast path, Hono, and the one-router handler) against Better-Auth's own handler
 * of a separate instance with the same options (its onboarding plugin without its own fast path), on the same
 * database. For the default options and for every option that switches a fast path off, each request gets the same
 * status, body and cookies from both.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { betterAuth, type BetterAuthOptions } from "better-auth";
import pg from "pg";
import { onboarding } from "@textbook-auth/onboarding";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { loadConfig } from "../config";
import { migrate } from "../database/migrate";
import { createPreRouter } from "../http/pre-router";
import { createFastGetSession } from "../sessions/fast-get-session";
import { createSessionLookup, type SessionLookup } from "../sessions/lookup";
import { TEST_SECRET } from "../testing/server";
import { authOptions } from "./auth";
import { BETTER_AUTH_RANGE, perRequestRouterNeeded, supportsInternals, withOneRouter } from "./better-auth-internals";

const ORIGIN = "http://127.0.0.1:3998";
const SESSION_COOKIE = "better-auth.session_token";
const PASSWORD = "correct horse battery";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let lookup: SessionLookup;
let config: ReturnType<typeof loadConfig>;
let n = 0;

before(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  config = loadConfig({ NODE_ENV: "test", PUBLIC_URL: ORIGIN, DATABASE_URL: db.url, BETTER_AUTH_SECRET: TEST_SECRET, RATE_LIMIT: "false" });
  await migrate(pool, authOptions(config, pool, TEST_SECRET));
  // Without memory: a session row changed by a test must be read again, by both sides.
  lookup = createSessionLookup({ pool, databaseUrl: db.url, cache: false, ttlMs: 0 });
});
after(async () => {
  await lookup?.stop();
  await pool?.end();
  await db?.drop();
});

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** What must match: status, JSON body, and each cookie's name and attributes (values and dates are per answer). */
async function seen(response: Response) {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  const cookies = response.headers
    .getSetCookie()
    .map((line) => {
      const [pair, ...attributes] = line.split(";").map((s) => s.trim());
      const keep = attributes.filter((a) => !/^expires=/i.test(a)).map((a) => a.toLowerCase()).sort();
      return [pair!.split("=")[0], ...keep].join("; ");
    })
    .sort();
  return { status: response.status, body, cookies };
}

const memoryStorage = () => {
  const store = new Map<string, string>();
  return {
    get: async (key: string) => store.get(key) ?? null,
    set: async (key: string, value: string) => void store.set(key, value),
    delete: async (key: string) => void store.delete(key),
    getAndDelete: async (key: string) => {
      const value = store.get(key) ?? null;
      store.delete(key);
      return value;
    },
    increment: async (key: string) => {
      const value = Number(store.get(key) ?? 0) + 1;
      store.set(key, String(value));
      return value;
    },
  };
};

// Every option that switches the get-session fast path or the one router off, and the default that uses both.
const VARIANTS: [string, Partial<BetterAuthOptions>][] = [
  ["the default options (both fast paths on)", {}],
  ["a cookie cache", { session: { cookieCache: { enabled: true, maxAge: 300 } } }],
  ["deferred session refresh", { session: { deferSessionRefresh: true } }],
  ["additional session fields", { session: { additionalFields: { device: { type: "string", required: false } } } }],
  ["additional user fields", { user: { additionalFields: { nickname: { type: "string", required: false } } } }],
  ["secondary storage", { secondaryStorage: memoryStorage() }],
  ["trusted origins given as a function", { trustedOrigins: async () => [ORIGIN] }],
];

for (const [name, change] of VARIANTS) {
  describe(`with ${name}: the product answers as Better-Auth's own handler`, () => {
    let ours: Server;
    let theirs: Server;
    let oursUrl: string;
    let theirsUrl: string;
    let options: BetterAuthOptions;

    before(async () => {
      options = { ...authOptions(config, pool, TEST_SECRET), ...change } as BetterAuthOptions;
      await migrate(pool, options as ReturnType<typeof authOptions>); // additional fields need their columns
      const auth = withOneRouter(betterAuth(options));
      ours = createServer(
        await createPreRouter({
          auth: auth as never,
          pool,
          backendUrl: "http://127.0.0.1:9",
          siteDir: "/nonexistent",
          trustProxy: false,
          publicUrl: ORIGIN,
          trustedOrigins: [ORIGIN],
          proxyMaxBodyBytes: 1024,
          secret: TEST_SECRET,
          lookup,
        }),
      );
      // The reference: Better-Auth's own handler, and the onboarding plugin without its in-process fast path (which
      // shares the rules under test), so every get-session is Better-Auth's own plus the profile.
      const reference = { ...options, plugins: options.plugins!.map((p) => (p.id === "onboarding" ? onboarding({ pool, fields: config.profileFields, fastGetSession: false }) : p)) };
      theirs = createServer(getRequestListener(betterAuth(reference).handler));
      [oursUrl, theirsUrl] = [await listen(ours), await listen(theirs)];
    });
    after(async () => {
      await new Promise((r) => ours.close(r));
      await new Promise((r) => theirs.close(r));
    });

    const call = (base: string, path: string, init: { method?: string; cookie?: string; body?: unknown } = {}) =>
      fetch(base + "/api/auth" + path, {
        method: init.method ?? "GET",
        headers: {
          origin: ORIGIN,
          ...(init.cookie && { cookie: init.cookie }),
          ...(init.body !== undefined && { "content-type": "application/json" }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(10_000),
      });
    const both = async (path: string, init?: Parameters<typeof call>[2]) => [await seen(await call(oursUrl, path, init)), await seen(await call(theirsUrl, path, init))];

    /** A reader signed up (and onboarded) through the product; its session cookie works on both servers. */
    async function reader() {
      const email = `internals-${++n}@example.com`;
      const up = await call(oursUrl, "/sign-up/email", { method: "POST", body: { email, password: PASSWORD, name: "I" } });
      assert.equal(up.status, 200);
      const cookie = up.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(";")[0]!;
      const profile = await call(oursUrl, "/profile", { method: "POST", cookie, body: { pythonProficiency: "beginner", developerRole: "student" } });
      assert.equal(profile.status, 200);
      return { email, cookie, token: decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)).split(".")[0]! };
    }

    test("the fast paths are on exactly when the options allow them", async () => {
      const fast = await createFastGetSession({ auth: { options, $context: betterAuth(options).$context }, secret: TEST_SECRET, lookup, responseHeaders: {} });
      const router = perRequestRouterNeeded(options, "1.7.25");
      if (name.startsWith("the default")) assert.ok(fast && router === null);
      else assert.ok(fast === null || router !== null, "one of them is off");
    });

    test("get-session: a visitor, a live session, the same with disableCookieCache", async () => {
      const { cookie } = await reader();
      for (const [path, init] of [
        ["/get-session", {}],
        ["/get-session", { cookie }],
        ["/get-session", { cookie }], // again: a cookie cache or memory may answer the second
        ["/get-session?disableCookieCache=true", { cookie }],
      ] as const) {
        const [a, b] = await both(path, init);
        assert.deepEqual(a, b, path);
      }
    });

    test("get-session for a session due for refresh: the same refresh (or, deferred, the same needsRefresh) on both", async () => {
      // One session per side, since the first refresh would leave nothing to refresh for the other.
      const [first, second] = [await reader(), await reader()];
      await pool.query(`UPDATE session SET "expiresAt" = now() + interval '5 days' WHERE token = ANY($1)`, [[first.token, second.token]]);
      const a = await seen(await call(oursUrl, "/get-session", { cookie: first.cookie }));
      const b = await seen(await call(theirsUrl, "/get-session", { cookie: second.cookie }));
      const outcome = (s: typeof a) => {
        const body = s.body as { session: { expiresAt: string }; needsRefresh?: boolean };
        return [s.status, s.cookies, new Date(body.session.expiresAt).valueOf() > Date.now() + 6 * 86_400_000, body.needsRefresh];
      };
      assert.deepEqual(outcome(a), outcome(b));
    });

    test("an expired session, a forged signature, the profile, the session list, a wrong password", async () => {
      const live = await reader();
      const expired = await reader();
      await pool.query(`UPDATE session SET "expiresAt" = now() - interval '1 second' WHERE token = $1`, [expired.token]);
      for (const [path, init] of [
        ["/get-session", { cookie: expired.cookie }],
        ["/get-session", { cookie: `${SESSION_COOKIE}=${live.token}.${"A".repeat(43)}=` }],
        ["/profile", { cookie: live.cookie }],
        ["/list-sessions", { cookie: live.cookie }],
        ["/sign-in/email", { method: "POST", body: { email: live.email, password: "wrong password" } }],
        ["/sign-in/email", { method: "POST", body: { email: live.email } }],
      ] as const) {
        const [a, b] = await both(path, init);
        assert.deepEqual(a, b, path);
      }
    });

    test("sign-in and sign-out: the same answers and cookies", async () => {
      const { email } = await reader();
      const [inA, inB] = await Promise.all([oursUrl, theirsUrl].map((base) => call(base, "/sign-in/email", { method: "POST", body: { email, password: PASSWORD } })));
      const [a, b] = [await seen(inA!), await seen(inB!)];
      assert.deepEqual([a.status, a.cookies], [b.status, b.cookies]);
      const cookieOf = (r: Response) => r.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(";")[0]!;
      const outA = await seen(await call(oursUrl, "/sign-out", { method: "POST", cookie: cookieOf(inA!) }));
      const outB = await seen(await call(theirsUrl, "/sign-out", { method: "POST", cookie: cookieOf(inB!) }));
      assert.deepEqual(outA, outB);
    });
  });
}

describe("the version gate", () => {
  test(`${BETTER_AUTH_RANGE}: the installed 1.7.25 and later 1.7 releases are in; 1.7.24, 1.8.0 and pre-releases are out`, () => {
    assert.deepEqual(
      ["1.7.25", "1.7.26", "1.7.100", "1.7.24", "1.8.0", "2.7.25", "1.7.26-beta.1", "11.7.25"].map(supportsInternals),
      [true, true, true, false, false, false, false, false],
    );
  });

  test("a dynamic baseURL, trusted origins as a function, or another version: Better-Auth's own per-request handler", () => {
    const options = authOptions(config, pool, TEST_SECRET) as BetterAuthOptions;
    assert.equal(perRequestRouterNeeded(options, "1.7.25"), null);
    assert.ok(perRequestRouterNeeded({ ...options, baseURL: { allowedHosts: ["127.0.0.1:*"] } }, "1.7.25"));
    assert.ok(perRequestRouterNeeded({ ...options, trustedOrigins: async () => [] }, "1.7.25"));
    assert.ok(perRequestRouterNeeded(options, "1.8.0"));
  });
});
