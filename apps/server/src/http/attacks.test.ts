/**
 * The attack suite: every attack this product defends against, one `describe` per family and each case named for
 * the attack it makes, run against the real system (the Node auth server, the Python backend on its own port and
 * through the /api proxy, one PostgreSQL). Each refusal is checked in the database, not just in the answer, and
 * each family has a control that shows the same request from a legitimate client does go through, so a check that
 * stopped looking would fail here rather than pass quietly.
 *
 * The page redirects (/sign-in?redirect=... and the other pages) need a browser: apps/site/e2e/journey.test.ts
 * runs the same hostile list through them.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import pg from "pg";
import { createTestDatabase, freePort } from "../../../../scripts/test-postgres.mjs";
import { HOSTILE_REDIRECTS } from "../../../../packages/docusaurus-theme-auth/src/testing/hostile-redirects";
import { startTestServer, TEST_SECRET } from "../testing/server";
import { startPythonBackend } from "../testing/backend";
import { sendRaw, TestClient } from "../testing/client";
import { chunked, rawExchange, rawRequest } from "../testing/raw-http";
import { forgedCredentials } from "../testing/forged-credentials";
import { passwordVerifications } from "../auth/password";
import type { RunningServer } from "../server";

const PASSWORD = "correct horse battery";
const EVIL = "https://evil.example";
/** The one page origin the shared system trusts besides its own: a site on a sibling subdomain (COOKIE_DOMAIN aside). */
const SIBLING = "https://docs.attack.test";
const JSON_TYPE = { "content-type": "application/json" };

/** True when a browser on `base` following `target` would stay on `base`'s origin (http(s), same host and port). */
function staysOn(target: string, base: string): boolean {
  try {
    return new URL(target, base).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/** Both refusals of a callbackURL: one that would leave the trusted origins, one that is not a URL as sent. */
const refusedCallback = (r: { status: number; json: any }) =>
  (r.status === 403 && r.json?.code === "INVALID_CALLBACK_URL") || (r.status === 400 && r.json?.code === "MALFORMED_CALLBACK_URL");

const short = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);

// One running system for every family that needs the limits off (the corpus alone is thousands of requests).
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: RunningServer;
let backend: Awaited<ReturnType<typeof startPythonBackend>>;
let pool: pg.Pool;
let readerCount = 0;

before(async () => {
  db = await createTestDatabase();
  const backendPort = await freePort();
  server = await startTestServer(db.url, { BACKEND_URL: `http://127.0.0.1:${backendPort}`, TRUSTED_ORIGINS: SIBLING }); // migrates first
  backend = await startPythonBackend({
    port: backendPort,
    databaseUrl: db.url,
    secret: TEST_SECRET,
    publicUrl: server.url,
    trustedOrigins: [server.url, SIBLING],
  });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});
after(async () => {
  await pool?.end();
  await backend?.stop();
  await server?.stop();
  await db?.drop();
});

const COMPLETE = { pythonProficiency: "intermediate", developerRole: "devops" };

/** A signed-up reader on the shared system, with a complete profile unless `profile` is null. */
async function reader(label: string, profile: typeof COMPLETE | null = COMPLETE) {
  const client = new TestClient(server.url);
  const email = `${label}-${++readerCount}@example.com`;
  const id = await client.signUp(email, PASSWORD, label);
  if (profile) assert.equal((await client.post("/api/auth/profile", profile)).status, 200);
  return { client, id, email };
}

const PROFILE_ROW = `SELECT python_proficiency, developer_role, onboarding_completed, updated_at FROM user_profile WHERE user_id = $1`;
const profileRow = async (userId: string) => (await pool.query(PROFILE_ROW, [userId])).rows[0];

/** Everything a cross-site write could change for one reader. */
async function footprint(userId: string) {
  const rows = async (sql: string) => (await pool.query(sql, [userId])).rows;
  return {
    profile: await rows(PROFILE_ROW),
    user: await rows(`SELECT name, email, "updatedAt" FROM "user" WHERE id = $1`),
    sessions: await rows(`SELECT token FROM session WHERE "userId" = $1 ORDER BY token`),
    password: await rows(`SELECT password FROM account WHERE "userId" = $1`),
    progress: await rows(`SELECT chapter FROM reading_progress WHERE user_id = $1 ORDER BY chapter`),
  };
}

/** A server with the abuse limits on, as in production; TRUST_PROXY lets a test speak from many addresses. */
async function limitedServer(env: Record<string, string> = {}, databaseUrl?: string) {
  const database = databaseUrl ? null : await createTestDatabase();
  const running = await startTestServer(databaseUrl ?? database!.url, { RATE_LIMIT: "true", ...env });
  const pool = new pg.Pool({ connectionString: running.databaseUrl, max: 1 });
  return {
    url: running.url,
    databaseUrl: running.databaseUrl,
    pool,
    async stop() {
      await pool.end();
      await running.stop();
      await database?.drop();
    },
  };
}

const from = (address: string) => ({ "x-forwarded-for": address });
const signIn = (url: string, email: string, password: string, headers: Record<string, string> = {}) =>
  new TestClient(url).post("/api/auth/sign-in/email", { email, password }, headers);
const signUpFrom = (url: string, email: string, headers: Record<string, string>) =>
  new TestClient(url).post("/api/auth/sign-up/email", { email, password: PASSWORD, name: "R" }, headers);

/** Sign-ins from one address for unknown accounts (the per-address limit, not the per-account one). */
async function stuff(urls: string[], count: number, headers: (i: number) => Record<string, string>) {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await signIn(urls[i % urls.length]!, `nobody-${i}@example.com`, "x1234567", headers(i)));
  return answers;
}

function assertTooMany(r: { status: number; json: any; headers: Headers | Record<string, unknown> }, code: string, label = "") {
  assert.deepEqual([r.status, r.json?.code], [429, code], label);
  const retryAfter = r.headers instanceof Headers ? r.headers.get("retry-after") : r.headers["retry-after"];
  assert.ok(Number(retryAfter) > 0, `Retry-After ${retryAfter}`);
}

describe("forged and malformed session credentials", () => {
  let valid: string;
  before(async () => {
    const { client } = await reader("attacked");
    valid = client.cookies.get("better-auth.session_token")!;
  });

  test("control: the genuine cookie and bearer token are accepted", async () => {
    const carriers: Record<string, string>[] = [
      { cookie: `better-auth.session_token=${valid}` },
      { authorization: `Bearer ${valid}` },
    ];
    for (const headers of carriers) {
      const r = await fetch(server.url + "/api/auth/get-session", { headers });
      assert.match((await r.json())?.user?.email, /^attacked-/);
      for (const base of [backend.url, server.url]) {
        const me = await fetch(base + "/api/me", { headers });
        assert.equal(me.status, 200, base);
      }
    }
  });

  test("a corpus of 1,000+ forged cookies and Authorization headers sent to both servers: none accepted, none answered with a 5xx", async () => {
    const corpus = forgedCredentials(valid);
    assert.ok(corpus.length >= 1000, `corpus has ${corpus.length}`);
    const failures: string[] = [];
    // Bounded: a fixed corpus, 8 requests in flight.
    for (let i = 0; i < corpus.length; i += 8) {
      await Promise.all(
        corpus.slice(i, i + 8).map(async ({ name, headers }) => {
          const session = await fetch(server.url + "/api/auth/get-session", { headers });
          const body = await session.text();
          if (session.status >= 500) failures.push(`${name}: get-session ${session.status}`);
          else if (body.includes("attacked-")) failures.push(`${name}: get-session accepted`);
          const profile = await fetch(server.url + "/api/auth/profile", { headers });
          if (profile.status !== 401) failures.push(`${name}: profile ${profile.status}`);
          // The Python backend, on its own port and through the Node proxy.
          for (const [where, base] of [["python", backend.url], ["proxy", server.url]] as const) {
            const me = await fetch(base + "/api/me", { headers });
            const body = await me.json().catch(() => null);
            if (me.status !== 401 || body?.code !== "UNAUTHENTICATED") failures.push(`${name}: ${where} /api/me ${me.status}`);
          }
        }),
      );
    }
    assert.deepEqual(failures, []);
  });
});

describe("CSRF: cookie-carrying writes from another origin", () => {
  const NULL_ORIGIN = "MISSING_OR_NULL_ORIGIN";
  // What another site could make a reader's browser send beside its cookie, given our origin. The Node side
  // answers with Better-Auth's own codes; the Python backend with INVALID_ORIGIN for all of them.
  const FORGERIES: { attack: string; headers: (own: URL) => Record<string, string>; node: string }[] = [
    { attack: "a foreign Origin", headers: () => ({ origin: EVIL }), node: "INVALID_ORIGIN" },
    { attack: "Origin: null (a sandboxed frame, a data: URL)", headers: () => ({ origin: "null" }), node: NULL_ORIGIN },
    { attack: "no Origin and no Referer", headers: () => ({}), node: NULL_ORIGIN },
    { attack: "a foreign Referer and no Origin", headers: () => ({ referer: `${EVIL}/page` }), node: "INVALID_ORIGIN" },
    { attack: "Origin: null with a foreign Referer", headers: () => ({ origin: "null", referer: `${EVIL}/page` }), node: NULL_ORIGIN },
    // A sandboxed frame on a page under our origin sends Origin: null and our page as Referer.
    { attack: "Origin: null with our own Referer", headers: (own) => ({ origin: "null", referer: `${own.origin}/docs/intro` }), node: NULL_ORIGIN },
    { attack: "our origin as the prefix of a foreign host", headers: (own) => ({ origin: `${own.origin}.evil.example` }), node: "INVALID_ORIGIN" },
    { attack: "our origin as userinfo before a foreign host", headers: (own) => ({ origin: `http://${own.host}@evil.example` }), node: "INVALID_ORIGIN" },
    { attack: "our host on another port", headers: (own) => ({ origin: `http://${own.hostname}:${+own.port + 1}` }), node: "INVALID_ORIGIN" },
    { attack: "our host and port over https", headers: (own) => ({ origin: `https://${own.host}` }), node: "INVALID_ORIGIN" },
    { attack: "our address spelled localhost", headers: (own) => ({ origin: `http://localhost:${own.port}` }), node: "INVALID_ORIGIN" },
  ];

  // Every write a reader's cookie allows on the Node server; the attacker knows the password here, to show the
  // origin alone decides.
  const NODE_WRITES = [
    { path: "/api/auth/profile", body: { pythonProficiency: "advanced", developerRole: "robotics" } },
    { path: "/api/auth/update-user", body: { name: "Pwned" } },
    { path: "/api/auth/change-password", body: { currentPassword: PASSWORD, newPassword: "attacker chosen password" } },
    { path: "/api/auth/revoke-sessions", body: {} },
    { path: "/api/auth/sign-out", body: {} },
  ];
  const PYTHON_WRITE = { path: "/api/progress", body: { chapter: "variables", completed: true } };

  let victim: Awaited<ReturnType<typeof reader>>;
  before(async () => {
    victim = await reader("csrf-victim");
  });

  const send = (base: string, method: string, path: string, headers: Record<string, string>, body: string) =>
    fetch(base + path, { method, headers: { cookie: victim.client.cookieHeader, ...headers }, body }).then(async (r) => ({
      status: r.status,
      code: (await r.json().catch(() => null))?.code as string | undefined,
      allow: r.headers.get("allow"),
    }));

  for (const { attack, headers, node } of FORGERIES) {
    test(`CSRF with ${attack}: every cookie-carrying write to either server is refused (403), nothing is written`, async () => {
      const forged = { ...JSON_TYPE, ...headers(new URL(server.url)) };
      const before = await footprint(victim.id);
      for (const { path, body } of NODE_WRITES) {
        const r = await send(server.url, "POST", path, forged, JSON.stringify(body));
        assert.deepEqual([r.status, r.code], [403, node], `POST ${path}`);
      }
      for (const [where, base] of [["python", backend.url], ["proxy", server.url]] as const) {
        const r = await send(base, "PUT", PYTHON_WRITE.path, forged, JSON.stringify(PYTHON_WRITE.body));
        assert.deepEqual([r.status, r.code], [403, "INVALID_ORIGIN"], `${where} PUT ${PYTHON_WRITE.path}`);
      }
      assert.deepEqual(await footprint(victim.id), before);
    });
  }

  test("HTML-form CSRF (text/plain, form-encoded and multipart bodies, which need no preflight): refused, nothing written", async () => {
    const before = await footprint(victim.id);
    const fields = (b: object) => Object.entries(b).map(([k, v]) => [k, String(v)] as [string, string]);
    const part = ([k, v]: [string, string]) => `--x\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
    const bodies: [string, (b: object) => string][] = [
      ["text/plain", (b) => JSON.stringify(b)],
      ["application/x-www-form-urlencoded", (b) => new URLSearchParams(fields(b)).toString()],
      ["multipart/form-data; boundary=x", (b) => fields(b).map(part).join("") + "--x--\r\n"],
    ];
    // The profile route refuses anything but JSON before any other check; Better-Auth's own routes refuse the
    // media type, or the origin where they accept forms.
    const REFUSED = ["INVALID_PROFILE", "UNSUPPORTED_MEDIA_TYPE", "INVALID_ORIGIN"];
    for (const [type, encode] of bodies) {
      for (const { path, body } of NODE_WRITES) {
        const r = await send(server.url, "POST", path, { "content-type": type, origin: EVIL }, encode(body));
        assert.ok(r.status >= 400 && r.status < 500 && REFUSED.includes(r.code!), `${type} POST ${path}: ${r.status} ${r.code}`);
      }
      for (const base of [backend.url, server.url]) {
        const r = await send(base, "PUT", PYTHON_WRITE.path, { "content-type": type, origin: EVIL }, encode(PYTHON_WRITE.body));
        assert.deepEqual([r.status, r.code], [403, "INVALID_ORIGIN"], `${type} PUT ${base}`);
      }
    }
    assert.deepEqual(await footprint(victim.id), before);
  });

  test("cross-origin PUT, PATCH and DELETE: refused by either server (405, or the backend's 403 before routing), /api/auth/* never reaches the backend", async () => {
    const before = await footprint(victim.id);
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      for (const path of ["/api/auth/profile", "/api/auth/update-user", "/api/auth/sign-out", "/api/auth/delete-user"]) {
        const body = JSON.stringify({ pythonProficiency: "advanced", developerRole: "robotics", name: "Pwned" });
        const r = await send(server.url, method, path, { ...JSON_TYPE, origin: EVIL }, body);
        // The Allow header marks the Node server's own answer, not one proxied from the backend.
        assert.deepEqual([r.status, r.code, r.allow], [405, "METHOD_NOT_ALLOWED", "GET, POST"], `${method} ${path}`);
      }
    }
    // The backend checks the credential (and so the origin) for its whole app before routing.
    for (const method of ["POST", "PATCH", "DELETE"]) {
      for (const base of [backend.url, server.url]) {
        const r = await send(base, method, PYTHON_WRITE.path, { ...JSON_TYPE, origin: EVIL }, JSON.stringify(PYTHON_WRITE.body));
        assert.deepEqual([r.status, r.code], [403, "INVALID_ORIGIN"], `${method} ${base}${PYTHON_WRITE.path}`);
      }
    }
    assert.deepEqual(await footprint(victim.id), before);
  });

  test("path tricks that URL parsing turns into /api/auth/*: still the auth server's (405), never the backend's", async () => {
    // The Node server proxies plain /api/* paths without parsing them; these spellings must not count as plain.
    for (const target of ["/api/./auth/sign-out", "/api/x/../auth/sign-out", "/api/%61uth/sign-out", "/api/auth/"]) {
      const r = await sendRaw(server.url, "PUT", target, { ...JSON_TYPE, origin: EVIL }, "{}");
      assert.deepEqual([r.status, r.json?.code, r.headers.allow], [405, "METHOD_NOT_ALLOWED", "GET, POST"], target);
    }
    // A backslash, which URL parsing reads as "/", is refused by Node's HTTP parser before any routing.
    const r = await sendRaw(server.url, "PUT", "/api\\auth/sign-out", { ...JSON_TYPE, origin: EVIL }, "{}");
    assert.equal(r.status, 400);
  });

  test("path tricks toward the backend: what only URL parsing makes an /api/ path is answered by Node, never proxied", async () => {
    // The backend would receive these as sent (/api/auth/../me), not as routed (/api/me).
    const targets = ["/api/auth/../me", "/api/./me", "/api//me", "/api/%6De", "/api/x/..%2Fme", `http://127.0.0.1/api/me`];
    for (const target of targets) {
      const r = await sendRaw(server.url, "GET", target, { cookie: victim.client.cookieHeader });
      assert.deepEqual([r.status, r.json?.code, r.headers.server], [404, "NOT_FOUND", undefined], target);
    }
    // Control: the plain path is proxied, and the backend's answer carries its Server header.
    const plain = await sendRaw(server.url, "GET", "/api/health", {});
    assert.deepEqual([plain.status, plain.headers.server], [200, "uvicorn"]);
  });

  test("login CSRF: a cross-origin sign-in or sign-up (no cookie yet, JSON or an HTML form) creates no session and no account", async () => {
    const { id, email } = await reader("login-csrf");
    const sessions = (await footprint(id)).sessions;
    const formType = { "content-type": "application/x-www-form-urlencoded" };
    const formBody = new URLSearchParams({ email, password: PASSWORD }).toString();
    const attempts: [string, Record<string, string>, string][] = [
      ["/api/auth/sign-in/email", JSON_TYPE, JSON.stringify({ email, password: PASSWORD })],
      ["/api/auth/sign-in/email", formType, formBody],
      ["/api/auth/sign-up/email", JSON_TYPE, JSON.stringify({ email: "planted@example.com", password: PASSWORD, name: "P" })],
    ];
    for (const [path, type, body] of attempts) {
      const r = await fetch(server.url + path, { method: "POST", headers: { ...type, origin: EVIL }, body });
      assert.equal(r.status, 403, path);
      assert.equal((await r.json()).code, "INVALID_ORIGIN");
      assert.deepEqual(r.headers.getSetCookie(), []);
    }
    assert.deepEqual((await footprint(id)).sessions, sessions);
    assert.equal((await pool.query(`SELECT 1 FROM "user" WHERE email = 'planted@example.com'`)).rowCount, 0);
    // Control: the same form from this origin signs in.
    const ok = await fetch(server.url + "/api/auth/sign-in/email", { method: "POST", headers: { ...formType, origin: server.url }, body: formBody });
    assert.equal(ok.status, 200);
  });

  test("control: the same writes from this origin go through, on both servers", async () => {
    const own = { ...JSON_TYPE, origin: server.url };
    const second = new TestClient(server.url);
    assert.equal((await second.post("/api/auth/sign-in/email", { email: victim.email, password: PASSWORD })).status, 200);
    const start = await footprint(victim.id);
    assert.equal(start.sessions.length, 2);

    const ok = async (base: string, method: string, path: string, body: object, cookie = victim.client.cookieHeader) => {
      const r = await fetch(base + path, { method, headers: { ...own, cookie }, body: JSON.stringify(body) });
      assert.equal(r.status, 200, `${method} ${base}${path}: ${await r.text()}`);
    };
    const [profile, rename, changePassword, revoke, signOut] = NODE_WRITES;
    await ok(server.url, "POST", profile!.path, profile!.body);
    await ok(server.url, "POST", rename!.path, rename!.body);
    await ok(backend.url, "PUT", PYTHON_WRITE.path, PYTHON_WRITE.body);
    await ok(server.url, "PUT", PYTHON_WRITE.path, { chapter: "functions", completed: true });
    await ok(server.url, "POST", changePassword!.path, changePassword!.body);
    let now = await footprint(victim.id);
    assert.equal(now.profile[0].developer_role, "robotics");
    assert.equal(now.user[0].name, "Pwned");
    assert.deepEqual(now.progress.map((p) => p.chapter), ["functions", "variables"]);
    assert.notEqual(now.password[0].password, start.password[0].password);

    await ok(server.url, "POST", signOut!.path, signOut!.body, second.cookieHeader);
    assert.equal((await footprint(victim.id)).sessions.length, 1);
    await ok(server.url, "POST", revoke!.path, revoke!.body);
    now = await footprint(victim.id);
    assert.equal(now.sessions.length, 0);
  });
});

describe("open redirect", () => {
  // Better-Auth's GET endpoints that answer with a redirect to their callbackURL (here with a bad token).
  const BETTER_AUTH_REDIRECTS = [
    "/api/auth/reset-password/not-a-token",
    "/api/auth/verify-email?token=not-a-token",
    "/api/auth/delete-user/callback?token=not-a-token",
  ];
  const withCallback = (path: string, target: string) =>
    `${path}${path.includes("?") ? "&" : "?"}callbackURL=${encodeURIComponent(target)}`;
  const signInWith = (email: string, callbackURL: string) =>
    new TestClient(server.url).post("/api/auth/sign-in/email", { email, password: PASSWORD, callbackURL });
  let account: Awaited<ReturnType<typeof reader>>;
  before(async () => {
    account = await reader("redirect");
  });

  test("control: a same-origin callbackURL is honoured by sign-in and by Better-Auth's redirecting endpoints", async () => {
    const target = "/docs/variables";
    const signIn = await signInWith(account.email, target);
    assert.equal(signIn.status, 200);
    assert.equal(signIn.json.url, target);
    const redirected = [];
    for (const path of BETTER_AUTH_REDIRECTS) {
      const r = await fetch(server.url + withCallback(path, target), { redirect: "manual" });
      await r.body?.cancel();
      if (r.status >= 300 && r.status < 400) redirected.push(new URL(r.headers.get("location")!, server.url).pathname);
    }
    // At least one of them really redirects, so the hostile runs below look at a live redirect.
    assert.ok(redirected.length > 0 && redirected.every((p) => p === target), JSON.stringify(redirected));
  });

  for (const { attack, value } of HOSTILE_REDIRECTS) {
    test(`${attack} as callbackURL: ${short(value)} keeps the reader on this origin (sign-in, sign-up, redirecting GETs)`, async () => {
      // Better-Auth may accept a value a browser resolves to this origin (a relative path); anything that leaves
      // must be refused outright.
      const leaves = !staysOn(value, server.url);
      const c = new TestClient(server.url);
      const signIn = await c.post("/api/auth/sign-in/email", { email: account.email, password: PASSWORD, callbackURL: value });
      if (signIn.status === 403 || signIn.status === 400) {
        assert.ok(refusedCallback(signIn), JSON.stringify(signIn.json));
        assert.equal(c.cookies.size, 0, "no session was created");
      } else {
        assert.ok(!leaves, `sign-in accepted ${signIn.status}`);
        assert.equal(signIn.status, 200);
        assert.ok(staysOn(signIn.json.url, server.url), signIn.json.url);
      }
      const email = `planted-${++readerCount}@example.com`;
      const signUp = await new TestClient(server.url).post("/api/auth/sign-up/email", {
        email,
        password: PASSWORD,
        name: "R",
        callbackURL: value,
      });
      if (signUp.status === 403 || signUp.status === 400) {
        assert.ok(refusedCallback(signUp), JSON.stringify(signUp.json));
        assert.equal((await pool.query(`SELECT 1 FROM "user" WHERE email = $1`, [email])).rowCount, 0, "no account was created");
      } else {
        assert.ok(!leaves, `sign-up accepted ${signUp.status}`);
        assert.equal(signUp.status, 200);
      }
      for (const path of BETTER_AUTH_REDIRECTS) {
        const r = await fetch(server.url + withCallback(path, value), { redirect: "manual" });
        const location = r.headers.get("location");
        const json = await r.json().catch(() => null);
        assert.ok(r.status < 500, `${path}: ${r.status}`);
        if (leaves) assert.ok(refusedCallback({ status: r.status, json }), `${path}: ${r.status} ${json?.code}`);
        if (location !== null) assert.ok(staysOn(location, server.url), `${path} -> ${location}`);
      }
    });
  }

  test("verify-email's error redirect turning a dot-segment callbackURL into //evil.example (Better-Auth 1.7.25): 403 INVALID_CALLBACK_URL", async () => {
    // Better-Auth accepts "/.//evil.example" as a path on this origin, then normalises it into the Location
    // "//evil.example?error=INVALID_TOKEN": a redirect anyone can link to, no session needed.
    for (const value of ["/.//evil.example", "/docs/..//evil.example", "/a/b/../..//evil.example"]) {
      const r = await fetch(server.url + withCallback("/api/auth/verify-email?token=not-a-token", value), { redirect: "manual" });
      assert.deepEqual([r.status, (await r.json()).code, r.headers.get("location")], [403, "INVALID_CALLBACK_URL", null], value);
    }
  });

  // A hostile value as a request path: servers that add or strip a trailing slash by redirecting are the classic
  // open redirect (GET //evil.example/ answered with Location: //evil.example).
  const asTarget = (value: string) => value.replace(/[^\x21-\x7e]/g, (ch) => encodeURIComponent(ch));
  const pathAttacks = HOSTILE_REDIRECTS.filter(({ value }) => /^[/\\]/.test(value)).flatMap(({ value }) => {
    const target = asTarget(value);
    return [target, `${target}/`];
  });

  test("hostile paths and trailing-slash variants: no page or route of the Node server, nor the backend on its own port, redirects off its origin", async () => {
    const nodeRoutes = ["/sign-in", "/sign-in/", "/docs/variables", "/docs/variables/", "/account/", "//sign-in/"];
    const authRoutes = ["/api/auth/get-session/", "/api/auth/ok/"];
    const backendRoutes = ["/api/health/", "/api/me/", "/api/progress/"];
    const failures: string[] = [];
    const runs = [
      [server.url, [...pathAttacks, ...nodeRoutes, ...authRoutes]],
      [backend.url, [...pathAttacks, ...backendRoutes]],
    ] as const;
    for (const [base, targets] of runs) {
      for (const target of targets) {
        const r = await sendRaw(base, "GET", target, { cookie: account.client.cookieHeader });
        const location = r.headers.location;
        if (r.status >= 500) failures.push(`${base} ${target}: ${r.status}`);
        if (location !== undefined && !staysOn(location, base)) failures.push(`${base} ${target} -> ${location}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  // The backend once answered a wrong trailing slash with a redirect built from its own address. It no longer
  // redirects at all (FastAPI's redirect_slashes is off), so a check on the Location it sends could see none and
  // pass whatever happened: this pins the answer itself. Rewriting a backend's own Location into a path on the
  // public origin is tested in proxy.test.ts against a backend that does redirect.
  test("trailing slash on a proxied route: a plain 404 NOT_FOUND from the backend, with no Location to follow", async () => {
    for (const target of ["/api/health/", "/api/me/", "/api/progress/"]) {
      const r = await sendRaw(server.url, "GET", target, { cookie: account.client.cookieHeader });
      assert.deepEqual([r.status, r.json?.code, r.headers.location], [404, "NOT_FOUND", undefined], target);
    }
  });
});

describe("malformed callbackURL: non-ASCII, controls and oversized values", () => {
  // Better-Auth 1.7.25 writes sign-in's callbackURL into Location as given, after the password check and the new
  // session: a character above U+00FF threw there (a bare 500 and a session nobody received), a Latin-1 character
  // or a space went out as a raw byte. Each must be one stable 400, before anything is checked or stored.
  const MALFORMED = [
    { attack: "Latin-1 letter", value: "/docs/é" },
    { attack: "euro sign (above U+00FF)", value: "/docs/€" },
    { attack: "emoji (outside the BMP)", value: "/docs/😀" },
    { attack: "line separator U+2028", value: "/docs/a\u2028b" },
    { attack: "no-break space", value: "/docs/\u00a0" },
    { attack: "full-width solidus look-alike of //", value: "／／evil.example" },
    { attack: "space", value: "/docs/a b" },
    { attack: "tab", value: "/docs/a\tb" },
    { attack: "CRLF header injection, raw", value: "/docs\r\nSet-Cookie: planted=1" },
    { attack: "NUL byte", value: "/docs/\u0000" },
    { attack: "DEL", value: "/docs/\u007f" },
    { attack: "2,049 characters", value: "/" + "a".repeat(2048) },
  ];
  const REDIRECTING_GETS = ["/api/auth/verify-email?token=not-a-token", "/api/auth/reset-password/not-a-token?x=1"];
  let account: Awaited<ReturnType<typeof reader>>;
  before(async () => {
    account = await reader("malformed-callback");
  });
  const sessions = async () => Number((await pool.query(`SELECT count(*) FROM session WHERE "userId" = $1`, [account.id])).rows[0].count);

  test("control: the same targets percent-encoded, and a 2,048-character path, are accepted and redirected to as sent", async () => {
    for (const value of [encodeURI("/docs/é"), encodeURI("/docs/😀"), "/docs/a%20b", "/" + "a".repeat(2047)]) {
      const r = await new TestClient(server.url).post("/api/auth/sign-in/email", { email: account.email, password: PASSWORD, callbackURL: value });
      assert.deepEqual([r.status, r.json.url, r.headers.get("location")], [200, value, value], short(value));
    }
  });

  for (const { attack, value } of MALFORMED) {
    test(`${attack} in callbackURL: 400 MALFORMED_CALLBACK_URL from sign-in (JSON and form), sign-up and the redirecting GETs; no session, no account`, async () => {
      const before = await sessions();
      const c = new TestClient(server.url);
      const json = await c.post("/api/auth/sign-in/email", { email: account.email, password: PASSWORD, callbackURL: value });
      assert.deepEqual([json.status, json.json?.code], [400, "MALFORMED_CALLBACK_URL"], "sign-in");
      const form = await c.post("/api/auth/sign-in/email", new URLSearchParams({ email: account.email, password: PASSWORD, callbackURL: value }).toString(), {
        "content-type": "application/x-www-form-urlencoded",
      });
      assert.deepEqual([form.status, form.json?.code], [400, "MALFORMED_CALLBACK_URL"], "form sign-in");
      assert.equal(c.cookies.size, 0);
      assert.equal(await sessions(), before, "no session was stored");

      const email = `malformed-${++readerCount}@example.com`;
      const signUp = await new TestClient(server.url).post("/api/auth/sign-up/email", { email, password: PASSWORD, name: "R", callbackURL: value });
      assert.deepEqual([signUp.status, signUp.json?.code], [400, "MALFORMED_CALLBACK_URL"], "sign-up");
      assert.equal((await pool.query(`SELECT 1 FROM "user" WHERE email = $1`, [email])).rowCount, 0, "no account was created");

      for (const path of REDIRECTING_GETS) {
        const r = await fetch(`${server.url}${path}&callbackURL=${encodeURIComponent(value)}`, { redirect: "manual" });
        assert.deepEqual([r.status, (await r.json().catch(() => null))?.code, r.headers.get("location")], [400, "MALFORMED_CALLBACK_URL", null], path);
      }
    });
  }

  test("the other redirect fields (redirectTo, errorCallbackURL, newUserCallbackURL) follow the same rule", async () => {
    const cases = [
      ["/api/auth/request-password-reset", { email: account.email, redirectTo: "/reset/€" }],
      ["/api/auth/sign-in/email", { email: account.email, password: PASSWORD, errorCallbackURL: "/€" }],
      ["/api/auth/sign-up/email", { email: "other@example.com", password: PASSWORD, name: "R", newUserCallbackURL: "/€" }],
    ] as const;
    for (const [path, body] of cases) {
      const r = await new TestClient(server.url).post(path, body);
      assert.deepEqual([r.status, r.json?.code], [400, "MALFORMED_CALLBACK_URL"], path);
    }
  });
});

describe("cached credentials: answers from /api/auth/* kept by a shared or browser cache", () => {
  test("every answer carrying a session, a token or the reader's data says Cache-Control: no-store", async () => {
    const c = new TestClient(server.url);
    const email = `cache-${++readerCount}@example.com`;
    const answers: [string, Awaited<ReturnType<TestClient["get"]>>][] = [];
    answers.push(["sign-up", await c.post("/api/auth/sign-up/email", { email, password: PASSWORD, name: "Cache" })]);
    answers.push(["profile POST", await c.post("/api/auth/profile", COMPLETE)]);
    answers.push(["profile GET", await c.get("/api/auth/profile")]);
    answers.push(["get-session", await c.get("/api/auth/get-session")]);
    answers.push(["token", await c.get("/api/auth/token")]);
    answers.push(["list-sessions", await c.get("/api/auth/list-sessions")]);
    answers.push(["update-user", await c.post("/api/auth/update-user", { name: "Cached" })]);
    answers.push(["sign-in", await new TestClient(server.url).post("/api/auth/sign-in/email", { email, password: PASSWORD })]);
    answers.push(["sign-in refused", await new TestClient(server.url).post("/api/auth/sign-in/email", { email, password: "wrong guess" })]);
    answers.push(["get-session without a session", await new TestClient(server.url).get("/api/auth/get-session")]);
    answers.push(["profile without a session", await new TestClient(server.url).get("/api/auth/profile")]);
    answers.push(["sign-out", await c.post("/api/auth/sign-out", {})]);
    // Each answer must be the one that matters, not an error page that happens to carry the header.
    assert.deepEqual(
      answers.map(([name, r]) => [name, r.status]),
      answers.map(([name]) => [name, ["sign-in refused", "profile without a session"].includes(name) ? 401 : 200]),
    );
    assert.ok(answers.find(([n]) => n === "token")![1].json.token, "the token answer carries a JWT");
    const failures = answers.filter(([, r]) => r.headers.get("cache-control") !== "no-store").map(([n, r]) => `${n}: ${r.headers.get("cache-control")}`);
    assert.deepEqual(failures, []);
  });

  test("control: the public signing keys (/api/auth/jwks) carry no credential and stay cacheable", async () => {
    const r = await new TestClient(server.url).get("/api/auth/jwks");
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json.keys));
    assert.notEqual(r.headers.get("cache-control"), "no-store");
  });
});

describe("profile tampering: hostile values and forged completion", () => {
  const VALID = { pythonProficiency: "beginner", developerRole: "student" };
  // Each body must be answered 400 INVALID_PROFILE and leave every stored profile as it was.
  const HOSTILE_PROFILES: [string, unknown][] = [
    ["SQL injection in the level", { pythonProficiency: "beginner'; DROP TABLE user_profile;--", developerRole: "student" }],
    ["SQL injection in the role", { pythonProficiency: "beginner", developerRole: "student' OR '1'='1" }],
    ["SQL cast smuggled into a value", { pythonProficiency: "beginner'::python_proficiency, developer_role='devops", developerRole: "student" }],
    ["NUL byte after a valid value", { pythonProficiency: "beginner\u0000", developerRole: "student" }],
    ["unknown level", { pythonProficiency: "expert", developerRole: "student" }],
    ["unknown role", { pythonProficiency: "beginner", developerRole: "astronaut" }],
    ["case variant of a valid value", { pythonProficiency: "Beginner", developerRole: "student" }],
    ["valid value padded with spaces", { pythonProficiency: " beginner ", developerRole: "student" }],
    ["the two fields' values swapped", { pythonProficiency: "student", developerRole: "beginner" }],
    ["Object.prototype name as a value (__proto__)", { pythonProficiency: "__proto__", developerRole: "student" }],
    ["Object.prototype name as a value (toString)", { pythonProficiency: "beginner", developerRole: "toString" }],
    ["null value", { pythonProficiency: null, developerRole: "student" }],
    ["both values null", { pythonProficiency: null, developerRole: null }],
    ["number for a value", { pythonProficiency: 1, developerRole: "student" }],
    ["enum index for a value", { pythonProficiency: "beginner", developerRole: 0 }],
    ["boolean for a value", { pythonProficiency: true, developerRole: "student" }],
    ["array holding a valid value", { pythonProficiency: ["beginner"], developerRole: "student" }],
    ["object for a value (query operator)", { pythonProficiency: { $ne: null }, developerRole: "student" }],
    ["object that stringifies to a valid value", { pythonProficiency: { toString: "beginner" }, developerRole: "student" }],
    ["huge string (over the 1 KiB body limit)", { pythonProficiency: "beginner".repeat(200), developerRole: "student" }],
    ["completion flag onboardingCompleted", { ...VALID, onboardingCompleted: true }],
    ["completion flag onboarding_completed", { ...VALID, onboarding_completed: true }],
    ["completion flag profileComplete", { ...VALID, profileComplete: true }],
    ["completion flag complete", { ...VALID, complete: true }],
    ["completion flag alone", { onboardingCompleted: true }],
    ["server-owned field updatedAt", { ...VALID, updatedAt: "2000-01-01T00:00:00Z" }],
    ["another user's id (user_id)", { ...VALID, user_id: "someone-else" }],
    ["nested profile object", { profile: { ...VALID, onboardingCompleted: true } }],
    ["body is an array", [VALID]],
    ["body is a string", "beginner"],
    ["body is a number", 42],
    ["body is null", null],
  ];
  // Written as text: JSON.stringify would drop these keys or never produce them, JSON.parse keeps them as own keys.
  const POLLUTING: [string, string][] = [
    ["prototype pollution through __proto__", `{"__proto__":{"onboardingCompleted":true},"pythonProficiency":"beginner","developerRole":"student"}`],
    ["answers hidden in __proto__", `{"__proto__":{"pythonProficiency":"beginner","developerRole":"student"}}`],
    ["prototype pollution through constructor.prototype", `{"constructor":{"prototype":{"onboardingCompleted":true}},"pythonProficiency":"beginner","developerRole":"student"}`],
  ];

  let established: Awaited<ReturnType<typeof reader>>;
  let fresh: Awaited<ReturnType<typeof reader>>;
  let establishedRow: unknown;
  before(async () => {
    established = await reader("tamper-established");
    fresh = await reader("tamper-fresh", null);
    establishedRow = await profileRow(established.id);
  });

  async function assertRefusedAndNothingStored(body: string, label: string) {
    for (const who of [established, fresh]) {
      const r = await who.client.request("POST", "/api/auth/profile", body, JSON_TYPE);
      const whose = who === fresh ? "no profile yet" : "complete profile";
      assert.deepEqual([r.status, r.json?.code], [400, "INVALID_PROFILE"], `${label} (${whose})`);
    }
    assert.deepEqual(await profileRow(established.id), establishedRow);
    assert.equal(await profileRow(fresh.id), undefined);
    // The server runs in this process: a polluted prototype would show here.
    assert.equal(({} as Record<string, unknown>).onboardingCompleted, undefined);
    assert.equal(({} as Record<string, unknown>).pythonProficiency, undefined);
  }

  test("control: a valid profile is stored and completes the reader for both servers", async () => {
    const { client, id } = await reader("tamper-control", null);
    assert.equal((await client.get("/api/me")).status, 403);
    const r = await client.post("/api/auth/profile", VALID);
    assert.equal(r.status, 200);
    assert.equal((await profileRow(id)).onboarding_completed, true);
    assert.equal((await client.get("/api/me")).status, 200);
  });

  for (const [attack, body] of HOSTILE_PROFILES) {
    test(`${attack}: POST /api/auth/profile is 400 INVALID_PROFILE, nothing stored`, () =>
      assertRefusedAndNothingStored(JSON.stringify(body), attack));
  }
  for (const [attack, body] of POLLUTING) {
    test(`${attack}: 400 INVALID_PROFILE, nothing stored, Object.prototype untouched`, () =>
      assertRefusedAndNothingStored(body, attack));
  }

  test("a 1 MiB body is refused before it is parsed (413 PAYLOAD_TOO_LARGE), nothing stored", async () => {
    // On a connection of its own: the server answers before reading the body, and that socket is not reused.
    const body = JSON.stringify({ pythonProficiency: "b".repeat(1 << 20), developerRole: "student" });
    const headers = { ...JSON_TYPE, origin: server.url, cookie: fresh.client.cookieHeader };
    const r = await sendRaw(server.url, "POST", "/api/auth/profile", headers, body);
    assert.deepEqual([r.status, r.json.code], [413, "PAYLOAD_TOO_LARGE"]);
    assert.equal(await profileRow(fresh.id), undefined);
  });

  test("writing another reader's profile by naming their id: refused, both profiles as they were", async () => {
    const victim = await reader("tamper-victim");
    const victimRow = await profileRow(victim.id);
    for (const key of ["userId", "user_id", "id"]) {
      const r = await fresh.client.post("/api/auth/profile", { ...VALID, [key]: victim.id });
      assert.deepEqual([r.status, r.json.code], [400, "INVALID_PROFILE"], key);
    }
    assert.deepEqual(await profileRow(victim.id), victimRow);
    assert.equal(await profileRow(fresh.id), undefined);
  });

  test("duplicate keys: the value that was validated is the value stored (no parser differential)", async () => {
    const { client, id } = await reader("tamper-duplicate", null);
    const hiddenLast = `{"pythonProficiency":"beginner","developerRole":"student","pythonProficiency":"expert"}`;
    const r = await client.request("POST", "/api/auth/profile", hiddenLast, JSON_TYPE);
    assert.deepEqual([r.status, r.json.code], [400, "INVALID_PROFILE"]);
    assert.equal(await profileRow(id), undefined);
    const validLast = `{"pythonProficiency":"expert","developerRole":"student","pythonProficiency":"advanced"}`;
    const ok = await client.request("POST", "/api/auth/profile", validLast, JSON_TYPE);
    assert.equal(ok.status, 200);
    assert.equal((await profileRow(id)).python_proficiency, "advanced");
  });

  // Better-Auth's own routes ignore fields they do not know; what matters is that none reaches user_profile.
  const FORGED_COMPLETION = {
    onboardingCompleted: true,
    onboarding_completed: true,
    profileComplete: true,
    pythonProficiency: "advanced",
    python_proficiency: "advanced",
    developerRole: "backend",
    developer_role: "backend",
    profile: { pythonProficiency: "advanced", developerRole: "backend", onboardingCompleted: true },
  };

  /** The reader is still incomplete everywhere: no row, get-session says so, the backend refuses. */
  async function assertStillIncomplete(client: TestClient, id: string) {
    assert.equal(await profileRow(id), undefined);
    const session = await client.get("/api/auth/get-session");
    assert.equal(session.json.user.profileComplete, false);
    assert.equal(session.json.profile, null);
    for (const base of [backend.url, server.url]) {
      const me = await fetch(base + "/api/me", { headers: { cookie: client.cookieHeader } });
      assert.deepEqual([me.status, (await me.json()).code], [403, "PROFILE_INCOMPLETE"], base);
    }
  }

  test("forged completion at sign-up: the account is created, the profile is not", async () => {
    const client = new TestClient(server.url);
    const email = `forged-signup-${++readerCount}@example.com`;
    const r = await client.post("/api/auth/sign-up/email", { email, password: PASSWORD, name: "F", ...FORGED_COMPLETION });
    assert.equal(r.status, 200);
    await assertStillIncomplete(client, r.json.user.id);
  });

  test("forged completion through update-user and sign-in: ignored, the profile stays incomplete", async () => {
    const { client, id, email } = await reader("forged-update", null);
    const update = await client.post("/api/auth/update-user", { name: "F", ...FORGED_COMPLETION });
    assert.ok(update.status === 200 || update.status === 400, `update-user ${update.status}`);
    const signIn = await client.post("/api/auth/sign-in/email", { email, password: PASSWORD, ...FORGED_COMPLETION });
    assert.equal(signIn.status, 200);
    await assertStillIncomplete(client, id);
  });

  test("forged completion through the query string, other methods and the Python backend: refused, nothing stored", async () => {
    const { client, id } = await reader("forged-elsewhere", null);
    const query = await client.post("/api/auth/profile?onboardingCompleted=true&pythonProficiency=beginner&developerRole=student", {});
    assert.deepEqual([query.status, query.json.code], [400, "INVALID_PROFILE"]);
    for (const method of ["PUT", "PATCH"]) {
      const r = await client.request(method, "/api/auth/profile", { ...VALID, onboardingCompleted: true });
      assert.deepEqual([r.status, r.json.code], [405, "METHOD_NOT_ALLOWED"], method);
    }
    for (const base of [backend.url, server.url]) {
      const r = await fetch(base + "/api/progress", {
        method: "PUT",
        headers: { ...JSON_TYPE, origin: server.url, cookie: client.cookieHeader },
        body: JSON.stringify({ chapter: "variables", completed: true, ...FORGED_COMPLETION }),
      });
      assert.deepEqual([r.status, (await r.json()).code], [403, "PROFILE_INCOMPLETE"], base);
    }
    assert.equal((await pool.query(`SELECT 1 FROM reading_progress WHERE user_id = $1`, [id])).rowCount, 0);
    await assertStillIncomplete(client, id);
  });
});

describe("brute force and credential stuffing", () => {
  let limited: Awaited<ReturnType<typeof limitedServer>>;
  before(async () => {
    limited = await limitedServer({ TRUST_PROXY: "true" });
  });
  after(() => limited?.stop());

  let victims = 0;
  async function victim(address: string) {
    const email = `victim-${++victims}@example.com`;
    assert.equal((await signUpFrom(limited.url, email, from(address))).status, 200);
    return email;
  }
  const guess = (url: string, email: string, i: number, address: string) => signIn(url, email, `guess ${i}`, from(address));

  test("password guessing on one account from one address: the 6th wrong password is 429 TOO_MANY_ATTEMPTS; the owner still signs in from another address", async () => {
    const email = await victim("198.51.100.1");
    for (let i = 0; i < 5; i++) assert.equal((await guess(limited.url, email, i, "203.0.113.7")).status, 401, `guess ${i}`);
    // Past the limit even the right password is not checked, whatever the case of the address.
    assertTooMany(await signIn(limited.url, email.toUpperCase(), PASSWORD, from("203.0.113.7")), "TOO_MANY_ATTEMPTS");
    assert.equal((await signIn(limited.url, email, PASSWORD, from("198.51.100.1"))).status, 200);
  });

  test("password guessing spread over 50 addresses: the account then refuses every sign-in for the window, even the right password from a new address", async () => {
    const email = await victim("198.51.100.2");
    // Control: before the guessing, a new address signs in.
    assert.equal((await signIn(limited.url, email, PASSWORD, from("192.0.2.200"))).status, 200);
    for (let i = 0; i < 50; i += 10) {
      const batch = Array.from({ length: 10 }, (_, j) => guess(limited.url, email, i + j, `203.0.114.${i + j}`));
      assert.deepEqual((await Promise.all(batch)).map((r) => r.status), Array(10).fill(401));
    }
    // The documented price of stopping a distributed guess: the owner waits out the window too.
    assertTooMany(await signIn(limited.url, email, PASSWORD, from("192.0.2.201")), "TOO_MANY_ATTEMPTS");
  });

  test("credential stuffing from one address: past 10 sign-in attempts a minute, 429 RATE_LIMITED; another address is not affected", async () => {
    const answers = await stuff([limited.url], 11, () => from("203.0.113.99"));
    assert.deepEqual(answers.slice(0, 10).map((r) => r.status), Array(10).fill(401));
    assertTooMany(answers[10]!, "RATE_LIMITED");
    assert.equal((await signIn(limited.url, "nobody@example.com", "whatever1", from("203.0.113.100"))).status, 401);
  });

  test("sign-up flooding from one address: the 6th sign-up in a minute is 429 RATE_LIMITED, no account; another address still signs up", async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await signUpFrom(limited.url, `flood-${i}@example.com`, from("203.0.113.150")));
    assert.deepEqual(answers.slice(0, 5).map((r) => r.status), Array(5).fill(200));
    assertTooMany(answers[5]!, "RATE_LIMITED");
    assert.equal((await limited.pool.query(`SELECT 1 FROM "user" WHERE email = 'flood-5@example.com'`)).rowCount, 0);
    assert.equal((await signUpFrom(limited.url, "flood-other@example.com", from("203.0.113.151"))).status, 200);
  });

  test("other spellings of the sign-in path (dot segments, absolute-form target, a query string) count against the same limits", async () => {
    const email = await victim("198.51.100.3");
    const spellings = [
      "/api/auth/./sign-in/email",
      "/api/auth/x/../sign-in/email",
      "/api/auth/sign-in/%2e/email",
      `${limited.url}/api/auth/sign-in/email`,
      "/api/auth/sign-in/email?via=query",
    ];
    const attempt = (target: string, address: string, mail: string, password: string) =>
      sendRaw(limited.url, "POST", target, { ...JSON_TYPE, origin: limited.url, ...from(address) }, JSON.stringify({ email: mail, password }));
    for (const target of spellings) assert.equal((await attempt(target, "203.0.113.160", email, "wrong guess")).status, 401, target);
    assertTooMany(await attempt("/api/auth/sign-in/email", "203.0.113.160", email, PASSWORD), "TOO_MANY_ATTEMPTS");
    // Better-Auth's per-address limit sees them as one endpoint too: 10 allowed in all, then 429.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await attempt(spellings[i % spellings.length]!, "203.0.113.161", `nobody-${i}@example.com`, "x1234567")).status);
    }
    assert.deepEqual(statuses, Array(10).fill(401));
    assertTooMany(await attempt("/api/auth/sign-in/email", "203.0.113.161", "nobody@example.com", "x1234567"), "RATE_LIMITED");
  });

  test("password guessing through an HTML form (form-encoded sign-in, which Better-Auth accepts) counts against the same limit", async () => {
    const email = await victim("198.51.100.5");
    const form = (mail: string, password: string, address: string) =>
      new TestClient(limited.url).post("/api/auth/sign-in/email", new URLSearchParams({ email: mail, password }).toString(), {
        "content-type": "application/x-www-form-urlencoded",
        ...from(address),
      });
    // Control: the form signs in with the right password.
    assert.equal((await form(email, PASSWORD, "192.0.2.210")).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await form(email, `guess ${i}`, "203.0.113.180")).status, 401, `form guess ${i}`);
    for (let i = 3; i < 5; i++) assert.equal((await guess(limited.url, email, i, "203.0.113.180")).status, 401, `json guess ${i}`);
    assertTooMany(await form(email, PASSWORD, "203.0.113.180"), "TOO_MANY_ATTEMPTS");
  });

  test("password guessing with the email field repeated in a form: the limit counts the account Better-Auth signs in to", async () => {
    const email = await victim("198.51.100.6");
    // Better-Auth's body parser keeps the last of repeated fields; a throttle reading the first would count the decoy.
    const form = (password: string) =>
      new TestClient(limited.url).post("/api/auth/sign-in/email", `email=decoy%40example.com&email=${encodeURIComponent(email)}&password=${encodeURIComponent(password)}`, {
        "content-type": "application/x-www-form-urlencoded",
        ...from("203.0.113.181"),
      });
    for (let i = 0; i < 5; i++) assert.equal((await form(`guess ${i}`)).status, 401, `guess ${i}`);
    assertTooMany(await form(PASSWORD), "TOO_MANY_ATTEMPTS");
  });

  test("password guessing on an account whose email is longer than 320 characters (Better-Auth signs those up): counted too", async () => {
    const email = `${"a".repeat(400)}@example.com`;
    assert.equal((await signUpFrom(limited.url, email, from("198.51.100.7"))).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await guess(limited.url, email, i, "203.0.113.182")).status, 401, `guess ${i}`);
    assertTooMany(await signIn(limited.url, email, PASSWORD, from("203.0.113.182")), "TOO_MANY_ATTEMPTS");
  });

  test("guesses spread over two server instances: the counters are shared, the limits hold", async () => {
    const second = await limitedServer({ TRUST_PROXY: "true" }, limited.databaseUrl);
    try {
      const instances = [limited.url, second.url];
      const email = await victim("198.51.100.4");
      for (let i = 0; i < 5; i++) assert.equal((await guess(instances[i % 2]!, email, i, "203.0.113.170")).status, 401);
      assertTooMany(await signIn(second.url, email, PASSWORD, from("203.0.113.170")), "TOO_MANY_ATTEMPTS");
      const answers = await stuff(instances, 11, () => from("203.0.113.171"));
      assert.deepEqual(answers.slice(0, 10).map((r) => r.status), Array(10).fill(401));
      assertTooMany(answers[10]!, "RATE_LIMITED");
    } finally {
      await second.stop();
    }
  });
});

describe("concurrent password guessing", () => {
  // The throttle must hold however the guesses arrive: all at once, from many addresses, through several server
  // instances. What is counted is the password checks really made (the hasher's own diagnostics channel), not the
  // answers: a guess whose password was checked is a guess, whatever it was answered.
  let limited: Awaited<ReturnType<typeof limitedServer>>;
  before(async () => {
    limited = await limitedServer({ TRUST_PROXY: "true" });
  });
  after(() => limited?.stop());

  let victims = 0;
  async function victim() {
    const email = `concurrent-${++victims}@example.com`;
    assert.equal((await signUpFrom(limited.url, email, from(`198.51.100.${100 + victims}`))).status, 200);
    return email;
  }

  /** Runs `attack` and counts the password verifications every in-process server made meanwhile. */
  async function countingChecks<T>(attack: () => Promise<T>): Promise<{ result: T; checks: number; wrong: number }> {
    let checks = 0;
    let wrong = 0;
    const onCheck = (message: unknown) => {
      checks++;
      if (!(message as { ok: boolean }).ok) wrong++;
    };
    passwordVerifications.subscribe(onCheck);
    try {
      const result = await attack();
      return { result, checks, wrong };
    } finally {
      passwordVerifications.unsubscribe(onCheck);
    }
  }

  /** Fires every guess at once: `perAddress` wrong passwords from each address, spread over the instances. */
  async function burst(urls: string[], email: string, addresses: string[], perAddress: number) {
    const guesses = addresses.flatMap((address, a) =>
      Array.from({ length: perAddress }, (_, i) => signIn(urls[(a * perAddress + i) % urls.length]!, email, `guess ${a}-${i}`, from(address))),
    );
    return Promise.all(guesses);
  }

  const statusCount = (answers: { status: number; json: any }[]) => {
    const counts: Record<string, number> = {};
    for (const r of answers) counts[`${r.status} ${r.json?.code ?? ""}`.trim()] = (counts[`${r.status} ${r.json?.code ?? ""}`.trim()] ?? 0) + 1;
    return counts;
  };

  test("control: one sign-in with the right password is one password check", async () => {
    const email = await victim();
    const { result, checks } = await countingChecks(() => signIn(limited.url, email, PASSWORD, from("192.0.2.50")));
    assert.equal(result.status, 200);
    assert.equal(checks, 1);
  });

  test("80 concurrent wrong passwords for one account from 8 addresses: exactly 5 password checks per address (40), every other guess 429 TOO_MANY_ATTEMPTS", async () => {
    const email = await victim();
    const addresses = Array.from({ length: 8 }, (_, i) => `203.0.115.${i + 1}`);
    const { result, checks, wrong } = await countingChecks(() => burst([limited.url], email, addresses, 10));
    assert.equal(checks, 40, "password checks");
    assert.equal(wrong, 40);
    assert.deepEqual(statusCount(result), { "401 INVALID_EMAIL_OR_PASSWORD": 40, "429 TOO_MANY_ATTEMPTS": 40 });
    // Per address, as the answers' order says nothing about which address each came from.
    const { rows } = await limited.pool.query(`SELECT address, count(*)::int AS n FROM sign_in_failure WHERE email = $1 GROUP BY address`, [email]);
    assert.deepEqual(rows.map((r) => r.n), Array(8).fill(5));
  });

  test("120 concurrent wrong passwords from 60 addresses (2 each, under the per-address limit): exactly 50 password checks, then even the right password waits", async () => {
    const email = await victim();
    const addresses = Array.from({ length: 60 }, (_, i) => `203.0.116.${i + 1}`);
    const { result, checks } = await countingChecks(() => burst([limited.url], email, addresses, 2));
    assert.equal(checks, 50, "password checks");
    assert.deepEqual(statusCount(result), { "401 INVALID_EMAIL_OR_PASSWORD": 50, "429 TOO_MANY_ATTEMPTS": 70 });
    const after = await countingChecks(() => signIn(limited.url, email, PASSWORD, from("192.0.2.51")));
    assertTooMany(after.result, "TOO_MANY_ATTEMPTS");
    assert.equal(after.checks, 0);
  });

  test("concurrent guesses through two server instances on one database: the limits hold across both (40 checks for 80 guesses)", async () => {
    const second = await limitedServer({ TRUST_PROXY: "true" }, limited.databaseUrl);
    try {
      const email = await victim();
      const addresses = Array.from({ length: 8 }, (_, i) => `203.0.117.${i + 1}`);
      const { result, checks } = await countingChecks(() => burst([limited.url, second.url], email, addresses, 10));
      assert.equal(checks, 40, "password checks");
      assert.deepEqual(statusCount(result), { "401 INVALID_EMAIL_OR_PASSWORD": 40, "429 TOO_MANY_ATTEMPTS": 40 });
    } finally {
      await second.stop();
    }
  });

  test("control: right passwords and requests refused before the password check give their slot back", async () => {
    const email = await victim();
    const address = from("203.0.118.1");
    // Three concurrent successful sign-ins and a malformed one (no password: Better-Auth's 400) use no slot... (Ten
    // attempts in all: Better-Auth's per-address limit, 10 a minute, runs before the throttle and would answer an 11th.)
    const successes = await Promise.all(Array.from({ length: 3 }, () => signIn(limited.url, email, PASSWORD, address)));
    assert.deepEqual(successes.map((r) => r.status), Array(3).fill(200));
    const malformed = await new TestClient(limited.url).post("/api/auth/sign-in/email", { email }, address);
    assert.equal(malformed.status, 400);
    // ...so the address still has all five wrong guesses, and no more.
    for (let i = 0; i < 5; i++) assert.equal((await signIn(limited.url, email, `guess ${i}`, address)).status, 401, `guess ${i}`);
    assertTooMany(await signIn(limited.url, email, PASSWORD, address), "TOO_MANY_ATTEMPTS");
  });

  test("rotating IPv6 addresses inside one /64: counted as one address (as Better-Auth's limiter keys them); another /64 is not affected", async () => {
    const email = await victim();
    for (let i = 1; i <= 5; i++) assert.equal((await signIn(limited.url, email, `guess ${i}`, from(`2001:db8:1:2::${i}`))).status, 401, `guess ${i}`);
    const { result, checks } = await countingChecks(() => signIn(limited.url, email, PASSWORD, from("2001:db8:1:2:ffff:ffff:ffff:ffff")));
    assertTooMany(result, "TOO_MANY_ATTEMPTS");
    assert.equal(checks, 0);
    // The same /64 written in upper case and uncompressed is still that /64.
    assertTooMany(await signIn(limited.url, email, PASSWORD, from("2001:0DB8:0001:0002:0000:0000:0000:0009")), "TOO_MANY_ATTEMPTS");
    // Control: the owner, from the neighbouring /64, signs in.
    assert.equal((await signIn(limited.url, email, PASSWORD, from("2001:db8:1:3::1"))).status, 200);
  });

  test("20 concurrent guesses from 20 IPv6 addresses in one /64: 5 password checks", async () => {
    const email = await victim();
    const addresses = Array.from({ length: 20 }, (_, i) => `2001:db8:2:${"a"}::${(i + 1).toString(16)}`);
    const { result, checks } = await countingChecks(() => burst([limited.url], email, addresses, 1));
    assert.equal(checks, 5, "password checks");
    assert.equal(result.filter((r) => r.status === 401).length, 5);
    assert.ok(result.every((r) => r.status === 401 || r.status === 429), JSON.stringify(statusCount(result)));
  });

  test("an IPv4-mapped IPv6 address is the same address as its IPv4 form", async () => {
    const email = await victim();
    for (let i = 0; i < 5; i++) {
      const address = i % 2 ? "::ffff:203.0.118.9" : "203.0.118.9";
      assert.equal((await signIn(limited.url, email, `guess ${i}`, from(address))).status, 401, `guess ${i}`);
    }
    assertTooMany(await signIn(limited.url, email, PASSWORD, from("::ffff:203.0.118.9")), "TOO_MANY_ATTEMPTS");
  });
});

describe("client address spoofing to dodge the limits", () => {
  test("a client-sent copy of the server's internal address header, or entries it puts before the proxy's, are not believed", async () => {
    const limited = await limitedServer({ TRUST_PROXY: "true" });
    try {
      const headers = { "x-forwarded-for": "192.0.2.44", "x-textbook-client-address": "6.6.6.6" };
      assert.equal((await signUpFrom(limited.url, "spoof@example.com", headers)).status, 200);
      const { rows } = await limited.pool.query(`SELECT "ipAddress" FROM session`);
      assert.deepEqual(rows, [{ ipAddress: "192.0.2.44" }]);
      // The proxy appends the address it saw; whatever the client wrote before it is one address, not eleven.
      const answers = await stuff([limited.url], 11, (i) => ({ "x-forwarded-for": `6.6.6.${i}, 192.0.2.45` }));
      assert.deepEqual(answers.slice(0, 10).map((r) => r.status), Array(10).fill(401));
      assertTooMany(answers[10]!, "RATE_LIMITED");
    } finally {
      await limited.stop();
    }
  });

  test("without TRUST_PROXY, a rotating X-Forwarded-For is neither recorded nor a way past the limit", async () => {
    const limited = await limitedServer();
    try {
      assert.equal((await signUpFrom(limited.url, "direct@example.com", from("192.0.2.99"))).status, 200);
      const { rows } = await limited.pool.query(`SELECT "ipAddress" FROM session`);
      assert.deepEqual(rows, [{ ipAddress: "127.0.0.1" }]);
      const answers = await stuff([limited.url], 11, (i) => from(`198.18.0.${i}`));
      assert.deepEqual(answers.slice(0, 10).map((r) => r.status), Array(10).fill(401));
      assertTooMany(answers[10]!, "RATE_LIMITED");
    } finally {
      await limited.stop();
    }
  });
});

describe("cross-origin reads: CORS for the trusted origins only", () => {
  // A page on another origin that a reader visits runs script with the reader's cookies attached to its requests
  // (SameSite=Lax lets a same-site sibling's through). Only CORS headers let that script read an answer, so they must
  // name exactly the trusted origins, as sent, and never `*`. Every place that answers /api/*: Better-Auth through
  // Hono, get-session before Hono, the proxy, and the backend on its own port.
  const HOSTILE_ORIGINS = (own: URL) => [
    EVIL,
    "null",
    "https://intruder.attack.test", // a sibling subdomain that is not listed
    `${SIBLING}.evil.example`, // the trusted origin as a prefix
    "https://evil-docs.attack.test", // the trusted host as a suffix
    `${SIBLING}:8443`, // another port
    SIBLING.replace("https:", "http:"), // another scheme
    `http://localhost:${own.port}`, // our own address in the spelling not trusted in tests
    SIBLING.toUpperCase(), // not as a browser serialises an origin
  ];
  let victim: Awaited<ReturnType<typeof reader>>;
  before(async () => {
    victim = await reader("cors-victim");
  });

  /** The answers a page on `origin` could try to read, with the victim's cookie attached. */
  async function readsFrom(origin: string) {
    const withCookie = { origin, cookie: victim.client.cookieHeader };
    const get = (base: string, path: string, headers: Record<string, string> = withCookie) =>
      fetch(base + path, { headers }).then(async (r) => ({ label: `${base === backend.url ? "python" : "node"} ${path}`, status: r.status, headers: r.headers }));
    return Promise.all([
      get(server.url, "/api/auth/get-session"), // answered before Hono
      get(server.url, "/api/auth/get-session", { origin }), // a visitor, before Hono
      get(server.url, "/api/auth/get-session?disableCookieCache=true"), // through Better-Auth
      get(server.url, "/api/auth/profile"),
      get(server.url, "/api/auth/list-sessions"),
      get(server.url, "/api/me"), // through the proxy
      get(server.url, "/api/progress"),
      get(backend.url, "/api/me"), // the backend on its own port
      get(backend.url, "/api/progress"),
    ]);
  }
  const corsOf = (h: Headers) => [...h].filter(([name]) => name.startsWith("access-control-"));

  test("control: the trusted origin reads every answer, its own origin echoed with credentials, nothing exposed", async () => {
    for (const r of await readsFrom(SIBLING)) {
      assert.equal(r.status, 200, r.label);
      assert.deepEqual(corsOf(r.headers), [["access-control-allow-credentials", "true"], ["access-control-allow-origin", SIBLING]], r.label);
    }
  });

  test("a hostile origin gets no CORS header on any answer (the reader's data stays unreadable), only Vary: Origin", async () => {
    const problems: string[] = [];
    for (const origin of HOSTILE_ORIGINS(new URL(server.url))) {
      for (const r of await readsFrom(origin)) {
        if (corsOf(r.headers).length) problems.push(`${origin} ${r.label}: ${JSON.stringify(corsOf(r.headers))}`);
        if (!/\borigin\b/i.test(r.headers.get("vary") ?? "")) problems.push(`${origin} ${r.label}: no Vary: Origin`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test("a hostile origin's preflight is refused (403 INVALID_ORIGIN, no CORS header) by both servers; it reaches neither Better-Auth nor a route", async () => {
    const paths = [
      [server.url, "/api/auth/sign-out", "POST"],
      [server.url, "/api/auth/update-user", "POST"],
      [server.url, "/api/auth/get-session", "GET"],
      [server.url, "/api/progress", "PUT"],
      [backend.url, "/api/progress", "PUT"],
      [backend.url, "/api/me", "GET"],
    ] as const;
    for (const origin of HOSTILE_ORIGINS(new URL(server.url))) {
      for (const [base, path, method] of paths) {
        const r = await fetch(base + path, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": method, "access-control-request-headers": "content-type", cookie: victim.client.cookieHeader },
        });
        const label = `${origin} OPTIONS ${base === backend.url ? "python" : "node"} ${path}`;
        assert.deepEqual([r.status, (await r.json()).code], [403, "INVALID_ORIGIN"], label);
        assert.deepEqual(corsOf(r.headers), [], label);
      }
    }
  });

  test("no answer ever allows any origin (`*`), and none exposes a header to the trusted page (set-auth-token stays unreadable)", async () => {
    const signIn = await new TestClient(server.url, SIBLING).post("/api/auth/sign-in/email", { email: victim.email, password: PASSWORD });
    assert.equal(signIn.status, 200);
    assert.ok(signIn.headers.get("set-auth-token"), "a client that is not a browser gets the bearer token (control)");
    assert.equal(signIn.headers.get("access-control-expose-headers"), null);
    for (const origin of [SIBLING, EVIL]) {
      for (const r of await readsFrom(origin)) {
        assert.notEqual(r.headers.get("access-control-allow-origin"), "*", r.label);
        assert.equal(r.headers.get("access-control-expose-headers"), null, r.label);
      }
    }
  });
});

describe("request smuggling through the /api proxy", () => {
  // Raw bytes on the wire: the front server parses these requests; what reaches uvicorn must be the same requests,
  // each framed as Node framed it, and nothing else. A body that got through unframed would be read by the backend
  // as the next request on a kept-alive socket, under the credentials the attacker wrote into it.
  const METHODS = ["GET", "HEAD", "DELETE", "OPTIONS", "POST", "PUT", "PATCH"];
  const FRAMINGS = ["chunked", "content-length"] as const;
  let attacker: Awaited<ReturnType<typeof reader>>;
  let victim: Awaited<ReturnType<typeof reader>>;
  let tag = 0;
  before(async () => {
    attacker = await reader("smuggler");
    victim = await reader("smuggled-on");
  });

  /** A PUT /api/progress for `chapter`, as bytes, with `cookie`. */
  function progressWrite(chapter: string, cookie: string) {
    const body = JSON.stringify({ chapter, completed: true });
    const headers = {
      Host: "backend",
      Origin: server.url, // the attacker writes the whole request, so it passes the CSRF check too
      Cookie: cookie,
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
    };
    return rawRequest("PUT", "/api/progress", headers, body);
  }

  /** `method` to a public backend path, carrying `payload` as its body in the given framing. */
  function carrier(method: string, framing: (typeof FRAMINGS)[number], payload: string) {
    const framed = framing === "chunked" ? chunked(payload) : payload;
    const length = framing === "chunked" ? { "Transfer-Encoding": "chunked" } : { "Content-Length": Buffer.byteLength(payload) };
    return rawRequest(method, "/api/health", { Host: new URL(server.url).host, ...length }, framed);
  }

  const chaptersOf = async (userId: string) => (await footprint(userId)).progress.map((r) => r.chapter);

  test("control: the hidden write, sent as a request of its own, does write", async () => {
    const chapter = `control-${++tag}`;
    const answer = await rawExchange(server.url, progressWrite(chapter, attacker.client.cookieHeader));
    assert.equal(answer.statuses[0], 200);
    assert.ok((await chaptersOf(attacker.id)).includes(chapter));
  });

  for (const method of METHODS) {
    for (const framing of FRAMINGS) {
      test(`${method} with a ${framing} body hiding a whole PUT /api/progress: the hidden write never runs`, async () => {
        const chapter = `smuggled-${++tag}`;
        const answer = await rawExchange(server.url, carrier(method, framing, progressWrite(chapter, attacker.client.cookieHeader)));
        assert.ok(answer.statuses[0]! < 500, `answered ${answer.statuses[0]}`);
        // Readers after it, on whatever upstream connections the proxy reuses, get their own answers.
        for (let i = 0; i < 3; i++) assert.equal((await victim.client.get("/api/me")).json?.user?.id, victim.id);
        assert.ok(!(await chaptersOf(attacker.id)).includes(chapter), "the smuggled write ran");
      });
    }
  }

  // A preflight is answered by the auth server itself, never proxied (cors.ts): its body must not reach the backend
  // either, from a trusted origin (204) or not (403).
  for (const origin of [SIBLING, EVIL]) {
    for (const framing of FRAMINGS) {
      test(`a CORS preflight from ${origin === SIBLING ? "the trusted origin" : "an untrusted origin"} with a ${framing} body hiding a whole PUT /api/progress: answered, the connection closed, the hidden write never runs`, async () => {
        const chapter = `smuggled-preflight-${++tag}`;
        const payload = progressWrite(chapter, attacker.client.cookieHeader);
        const framed = framing === "chunked" ? chunked(payload) : payload;
        const length = framing === "chunked" ? { "Transfer-Encoding": "chunked" } : { "Content-Length": Buffer.byteLength(payload) };
        const preflight = { Host: new URL(server.url).host, Origin: origin, "Access-Control-Request-Method": "PUT", ...length };
        const answer = await rawExchange(server.url, rawRequest("OPTIONS", "/api/progress", preflight, framed));
        assert.deepEqual(answer.statuses, [origin === SIBLING ? 204 : 403]);
        assert.equal(answer.closed, true);
        for (let i = 0; i < 3; i++) assert.equal((await victim.client.get("/api/me")).json?.user?.id, victim.id);
        assert.ok(!(await chaptersOf(attacker.id)).includes(chapter), "the smuggled write ran");
      });
    }
  }

  test("half a request left in a body is not completed by the next reader's request", async () => {
    // Left unframed on an upstream socket, the next request's line would become the value of X-Swallow and its
    // headers would join the attacker's request: a visitor with no cookie would receive the attacker's /api/me.
    const half = `GET /api/me HTTP/1.1\r\nHost: backend\r\nCookie: ${attacker.client.cookieHeader}\r\nX-Swallow: `;
    for (const method of ["GET", "DELETE", "OPTIONS"]) {
      const answer = await rawExchange(server.url, carrier(method, "chunked", half));
      assert.ok(answer.statuses[0]! < 500, `answered ${answer.statuses[0]}`);
      const visitor = await fetch(server.url + "/api/me");
      assert.deepEqual([visitor.status, (await visitor.json()).code], [401, "UNAUTHENTICATED"], method);
      assert.equal((await victim.client.get("/api/me")).json?.user?.id, victim.id, method);
    }
  });

  test("many poisoned connections, then readers in parallel: every reader gets its own answer", async () => {
    const halfMe = `GET /api/me HTTP/1.1\r\nHost: backend\r\nCookie: ${attacker.client.cookieHeader}\r\nX-Swallow: `;
    const openapi = rawRequest("GET", "/openapi.json", { Host: "backend" });
    const payloads = [halfMe, openapi, progressWrite(`poison-${++tag}`, attacker.client.cookieHeader)];
    // Bounded: 24 poisoned requests, then 60 reader requests, 12 in flight at a time.
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => rawExchange(server.url, carrier(["GET", "HEAD", "DELETE", "OPTIONS"][i % 4]!, "chunked", payloads[i % 3]!))),
    );
    const problems: string[] = [];
    const kinds = [
      async () => {
        const r = await fetch(server.url + "/api/me");
        const text = await r.text();
        if (r.status !== 401 || !text.includes("UNAUTHENTICATED")) problems.push(`visitor /api/me: ${r.status} ${text.slice(0, 80)}`);
      },
      async () => {
        const r = await victim.client.get("/api/me");
        if (r.json?.user?.id !== victim.id) problems.push(`victim /api/me: ${r.status} ${r.text.slice(0, 80)}`);
      },
      async () => {
        const r = await fetch(server.url + "/api/health");
        const text = await r.text();
        if (r.status !== 200 || text.includes("openapi")) problems.push(`visitor /api/health: ${r.status} ${text.slice(0, 80)}`);
      },
    ];
    for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 12 }, (_, i) => kinds[i % 3]!()));
    assert.deepEqual(problems, []);
    assert.deepEqual((await chaptersOf(attacker.id)).filter((c) => c.startsWith("poison-")), []);
  });

  test("a declared body over the limit is refused with 413 PAYLOAD_TOO_LARGE before it is sent", async () => {
    const answer = await rawExchange(server.url, rawRequest("PUT", "/api/progress", { Host: "front", "Content-Length": 192 * 1024 * 1024 }));
    assert.equal(answer.statuses[0], 413);
    assert.match(answer.text, /"code":"PAYLOAD_TOO_LARGE"/);
    assert.equal(answer.closed, true);
  });
});

/**
 * Sends a GET with exactly these header lines, in this order and this spelling (repeated names stay separate lines,
 * as an attacker can send them), and returns who the answer names: the reader's email, or null.
 */
function whoOnTheWire(base: string, path: string, lines: readonly (readonly [string, string])[]) {
  const { hostname, port, host } = new URL(base);
  // With headers given as lines, Node sends no Host of its own.
  const headers = [["Host", host], ...lines].flat();
  return new Promise<{ status: number; email: string | null }>((resolve, reject) => {
    const request = http.request({ host: hostname, port, method: "GET", path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        let json: any = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString() || "null");
        } catch {
          // Not JSON: nobody is named.
        }
        resolve({ status: response.statusCode!, email: json?.user?.email ?? null });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

describe("cookie confusion between servers", () => {
  // A deployment reads exactly one cookie name, the one its PUBLIC_URL implies, and a request that names it more
  // than once (same name twice, or over two Cookie lines) has no session on either server: the browser's own order
  // of duplicates depends on cookie paths and creation times an attacker can influence. A Bearer header, when
  // present, is the credential, and the cookie is not consulted.
  type Reader = { email: string; cookie: string; token: string; jwt: string };
  type Deployment = { label: string; node: string; python: string; publicUrl: string; name: string; other: string; a: Reader; b: Reader };
  const PLAIN = "better-auth.session_token";
  const SECURE = `__Secure-${PLAIN}`;
  const deployments: Deployment[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  async function confusedReader(base: string, origin: string, name: string, label: string, pool: pg.Pool): Promise<Reader> {
    const client = new TestClient(base, origin);
    const email = `${label}-${++readerCount}@example.com`;
    await client.signUp(email, PASSWORD, label);
    assert.equal((await client.post("/api/auth/profile", COMPLETE)).status, 200);
    const cookie = client.cookies.get(name);
    assert.ok(cookie, `sign-up set ${name}`);
    const { rows } = await pool.query(`SELECT s.token FROM session s JOIN "user" u ON u.id = s."userId" WHERE u.email = $1`, [email]);
    const jwt = (await client.get("/api/auth/token")).json?.token;
    assert.ok(jwt, "a JWT for the reader");
    return { email, cookie, token: rows[0].token, jwt };
  }

  before(async () => {
    deployments.push({
      label: "http",
      node: server.url,
      python: backend.url,
      publicUrl: server.url,
      name: PLAIN,
      other: SECURE,
      a: await confusedReader(server.url, server.url, PLAIN, "confused-a", pool),
      b: await confusedReader(server.url, server.url, PLAIN, "confused-b", pool),
    });
    // The same product behind TLS: PUBLIC_URL says https, so both servers read the __Secure- name only (the
    // test speaks plain HTTP to them, as a TLS-terminating proxy in front would).
    const secureDb = await createTestDatabase();
    cleanups.push(() => secureDb.drop());
    const port = await freePort();
    const backendPort = await freePort();
    const publicUrl = `https://127.0.0.1:${port}`;
    const secureServer = await startTestServer(secureDb.url, { PORT: String(port), PUBLIC_URL: publicUrl, BACKEND_URL: `http://127.0.0.1:${backendPort}` });
    cleanups.push(() => secureServer.stop());
    const secureBackend = await startPythonBackend({ port: backendPort, databaseUrl: secureDb.url, secret: TEST_SECRET, publicUrl });
    cleanups.push(() => secureBackend.stop());
    const securePool = new pg.Pool({ connectionString: secureDb.url, max: 1 });
    cleanups.push(() => securePool.end());
    deployments.push({
      label: "https",
      node: secureServer.url,
      python: secureBackend.url,
      publicUrl,
      name: SECURE,
      other: PLAIN,
      a: await confusedReader(secureServer.url, publicUrl, SECURE, "confused-a", securePool),
      b: await confusedReader(secureServer.url, publicUrl, SECURE, "confused-b", securePool),
    });
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  type Lines = [string, string][];
  // Who must be signed in, on both servers alike, for each set of header lines.
  const CASES: { attack: string; lines: (d: Deployment) => Lines; expect: "a" | "b" | null }[] = [
    { attack: "control: the session cookie", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`]], expect: "a" },
    { attack: "control: the other reader's cookie", lines: (d) => [["Cookie", `${d.name}=${d.b.cookie}`]], expect: "b" },
    { attack: "control: the signed token as a Bearer header", lines: (d) => [["Authorization", `Bearer ${d.b.cookie}`]], expect: "b" },
    { attack: "control: no credential", lines: () => [], expect: null },
    { attack: "the session cookie twice, planted one first", lines: (d) => [["Cookie", `${d.name}=${d.b.cookie}; ${d.name}=${d.a.cookie}`]], expect: null },
    { attack: "the session cookie twice, planted one last", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}; ${d.name}=${d.b.cookie}`]], expect: null },
    { attack: "the session cookie twice with one value", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie};${d.name}=${d.a.cookie}`]], expect: null },
    { attack: "the other prefix's name planted first", lines: (d) => [["Cookie", `${d.other}=${d.b.cookie}; ${d.name}=${d.a.cookie}`]], expect: "a" },
    { attack: "the other prefix's name planted last", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}; ${d.other}=${d.b.cookie}`]], expect: "a" },
    { attack: "only the other prefix's name", lines: (d) => [["Cookie", `${d.other}=${d.a.cookie}`]], expect: null },
    { attack: "the name in another case", lines: (d) => [["Cookie", `${d.name.toUpperCase()}=${d.a.cookie}`]], expect: null },
    { attack: "two Cookie lines, one session cookie in each", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`], ["Cookie", `${d.name}=${d.b.cookie}`]], expect: null },
    { attack: "two Cookie lines, the session cookie in the second", lines: (d) => [["Cookie", "theme=dark"], ["Cookie", `${d.name}=${d.a.cookie}`]], expect: "a" },
    { attack: "two Cookie lines, the session cookie in the first", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`], ["cookie", "theme=dark"]], expect: "a" },
    { attack: "two cookies joined by a comma on one line", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}, ${d.name}=${d.b.cookie}`]], expect: null },
    { attack: "a quoted value", lines: (d) => [["Cookie", `${d.name}="${d.a.cookie}"`]], expect: "a" },
    { attack: "spaces around the name and value, no space after ;", lines: (d) => [["Cookie", `theme=dark;  ${d.name} =  ${d.a.cookie} ;lang=en`]], expect: "a" },
    { attack: "the name inside another cookie's value", lines: (d) => [["Cookie", `x=${d.name}=${d.b.cookie}; ${d.name}=${d.a.cookie}`]], expect: "a" },
    { attack: "a cookie and a Bearer header for another reader", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`], ["Authorization", `Bearer ${d.b.cookie}`]], expect: "b" },
    { attack: "a cookie and a forged Bearer header", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`], ["Authorization", `Bearer ${d.a.token}.${"A".repeat(43)}=`]], expect: null },
    { attack: "a cookie and a lower-case bearer scheme", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`], ["Authorization", `bearer ${d.b.cookie}`]], expect: "b" },
    // The backend's JWT mode takes these; in database mode neither server does, and the cookie is still displaced.
    { attack: "a cookie and the reader's JWT as a Bearer header", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`], ["Authorization", `Bearer ${d.a.jwt}`]], expect: null },
    { attack: "a cookie and a Basic Authorization header", lines: (d) => [["Cookie", `${d.name}=${d.a.cookie}`], ["Authorization", "Basic dXNlcjpwYXNz"]], expect: "a" },
    { attack: "two Authorization lines", lines: (d) => [["Authorization", `Bearer ${d.a.cookie}`], ["Authorization", `Bearer ${d.b.cookie}`]], expect: null },
    { attack: "the raw (unsigned) session token as a Bearer header", lines: (d) => [["Authorization", `Bearer ${d.a.token}`]], expect: null },
    { attack: "the raw (unsigned) session token as the cookie", lines: (d) => [["Cookie", `${d.name}=${d.a.token}`]], expect: null },
    { attack: "the signature in a non-canonical spelling (padding bits set)", lines: (d) => [["Cookie", `${d.name}=${paddingBitsSet(d.a.cookie)}`]], expect: null },
    { attack: "the signature in unpadded base64url as a Bearer header", lines: (d) => [["Authorization", `Bearer ${base64url(d.a.cookie)}`]], expect: null },
  ];

  for (const { attack, lines, expect } of CASES) {
    test(`${attack}: both servers agree on who is signed in`, async () => {
      for (const d of deployments) {
        const wire = lines(d);
        const expected = expect && d[expect].email;
        const [node, python, proxied] = await Promise.all([
          whoOnTheWire(d.node, "/api/auth/get-session", wire),
          whoOnTheWire(d.python, "/api/me", wire),
          whoOnTheWire(d.node, "/api/me", wire),
        ]);
        assert.deepEqual(
          { node: node.email, python: python.email, proxied: proxied.email },
          { node: expected, python: expected, proxied: expected },
          `${d.label}: ${JSON.stringify(wire)}`,
        );
        // Nobody signed in is an ordinary "no session", never an error.
        for (const [where, r] of [["node", node], ["python", python], ["proxied", proxied]] as const) {
          assert.ok(r.status === 200 || r.status === 401, `${d.label} ${where}: ${r.status}`);
        }
      }
    });
  }
});

/** The cookie value with the signature's last character changed so that only its two padding bits differ. */
function paddingBitsSet(cookie: string): string {
  const decoded = decodeURIComponent(cookie);
  const dot = decoded.lastIndexOf(".");
  const signature = decoded.slice(dot + 1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const last = alphabet[alphabet.indexOf(signature[42]!) ^ 1]!;
  assert.deepEqual(Buffer.from(signature.slice(0, 42) + last + "=", "base64"), Buffer.from(signature, "base64"));
  return encodeURIComponent(`${decoded.slice(0, dot)}.${signature.slice(0, 42)}${last}=`);
}

/** The same signature in unpadded base64url, the form Better-Auth's bearer plugin computes internally. */
function base64url(cookie: string): string {
  const decoded = decodeURIComponent(cookie);
  const dot = decoded.lastIndexOf(".");
  return `${decoded.slice(0, dot)}.${Buffer.from(decoded.slice(dot + 1), "base64").toString("base64url")}`;
}

describe("the session token within reach of page scripts", () => {
  // The HttpOnly cookie keeps the credential from script only if no answer a script can read carries it: the raw
  // token in get-session (accepted by bearer() without a signature) and the signed one in set-auth-token.
  let victim: Awaited<ReturnType<typeof reader>>;
  let rawToken: string;
  before(async () => {
    victim = await reader("script-reach");
    const { rows } = await pool.query(`SELECT token FROM session WHERE "userId" = $1`, [victim.id]);
    rawToken = rows[0].token;
  });

  test("get-session, as the page's script calls it, does not hand out the raw session token", async () => {
    const r = await victim.client.get("/api/auth/get-session", { "sec-fetch-site": "same-origin" });
    assert.equal(r.json.user.id, victim.id);
    assert.equal(r.json.session.token, undefined);
    assert.ok(!r.text.includes(rawToken));
    assert.equal(r.headers.get("set-auth-token"), null);
  });

  test("the raw (unsigned) token as a Bearer header: no session on either server", async () => {
    const headers = { authorization: `Bearer ${rawToken}` };
    const session = await fetch(server.url + "/api/auth/get-session", { headers });
    assert.equal(await session.json(), null);
    assert.equal((await fetch(server.url + "/api/auth/profile", { headers })).status, 401);
    for (const base of [backend.url, server.url]) {
      const me = await fetch(base + "/api/me", { headers });
      assert.deepEqual([me.status, (await me.json()).code], [401, "UNAUTHENTICATED"], base);
    }
  });

  test("a browser's sign-in (Sec-Fetch-Site) gets its cookie but no set-auth-token; a script's gets the signed token, which works on both servers", async () => {
    const browser = await signIn(server.url, victim.email, PASSWORD, { "sec-fetch-site": "same-origin" });
    assert.equal(browser.status, 200);
    assert.equal(browser.headers.get("set-auth-token"), null);
    assert.ok(browser.headers.getSetCookie().some((c) => c.startsWith("better-auth.session_token=")));
    // Control: a client that is not a browser still receives the bearer token, and it is a credential.
    const script = await signIn(server.url, victim.email, PASSWORD);
    const bearer = script.headers.get("set-auth-token");
    assert.ok(bearer);
    const headers = { authorization: `Bearer ${bearer}` };
    assert.equal((await (await fetch(server.url + "/api/auth/get-session", { headers })).json()).user.id, victim.id);
    for (const base of [backend.url, server.url]) assert.equal((await fetch(base + "/api/me", { headers })).status, 200, base);
  });
});
