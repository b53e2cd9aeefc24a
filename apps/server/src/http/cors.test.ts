/**
 * The site on a sibling subdomain: the auth server on PUBLIC_URL, the site's pages on a TRUSTED_ORIGINS
 * entry, cookies for COOKIE_DOMAIN. Run over HTTP against the real server, the real Python backend (through the proxy
 * and on its own port) and a real PostgreSQL. Hostile origins are in attacks.test.ts ("cross-origin reads"); the same
 * journey in a browser, on two host names, is apps/site/e2e/cross-origin.test.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, freePort } from "../../../../scripts/test-postgres.mjs";
import { startTestServer, TEST_SECRET } from "../testing/server";
import { startPythonBackend } from "../testing/backend";
import { TestClient } from "../testing/client";
import type { RunningServer } from "../server";

const DOCS = "http://docs.textbook.test:4000";
const PROFILE = { pythonProficiency: "beginner", developerRole: "student" };
const JSON_TYPE = { "content-type": "application/json" };

const corsHeaders = (h: Headers) => [...h].filter(([name]) => name.startsWith("access-control-"));
const varies = (h: Headers) => (h.get("vary") ?? "").split(",").map((v) => v.trim().toLowerCase());

describe("the site on a trusted sibling origin", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let backend: Awaited<ReturnType<typeof startPythonBackend>>;
  let auth: string;

  before(async () => {
    db = await createTestDatabase();
    const [port, backendPort] = [await freePort(), await freePort()];
    auth = `http://auth.textbook.test:${port}`;
    server = await startTestServer(db.url, {
      PORT: String(port),
      PUBLIC_URL: auth,
      TRUSTED_ORIGINS: DOCS,
      COOKIE_DOMAIN: "textbook.test",
      BACKEND_URL: `http://127.0.0.1:${backendPort}`,
    });
    backend = await startPythonBackend({ port: backendPort, databaseUrl: db.url, secret: TEST_SECRET, publicUrl: auth, trustedOrigins: [auth, DOCS] });
  });
  after(async () => {
    await backend?.stop();
    await server?.stop();
    await db?.drop();
  });

  const preflight = (base: string, path: string, method: string, origin = DOCS) =>
    fetch(base + path, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": method, "access-control-request-headers": "content-type" },
    });

  test("a preflight from the trusted origin is answered 204 with the origin, credentials, methods and headers", async () => {
    const cases = [
      ["/api/auth/sign-in/email", "POST", "GET,POST"],
      ["/api/auth/get-session", "GET", "GET,POST"],
      ["/api/auth/profile", "POST", "GET,POST"],
      // The backend answers an OPTIONS without a session 401: a 204 here is the auth server's own answer.
      ["/api/me", "GET", "GET,HEAD,POST,PUT,PATCH,DELETE"],
      ["/api/progress", "PUT", "GET,HEAD,POST,PUT,PATCH,DELETE"],
    ] as const;
    for (const [path, method, methods] of cases) {
      const r = await preflight(server.url, path, method);
      assert.equal(r.status, 204, path);
      assert.equal(await r.text(), "", path);
      assert.equal(r.headers.get("access-control-allow-origin"), DOCS, path);
      assert.equal(r.headers.get("access-control-allow-credentials"), "true", path);
      assert.equal(r.headers.get("access-control-allow-methods"), methods, path);
      assert.equal(r.headers.get("access-control-allow-headers"), "Content-Type,Authorization", path);
      assert.equal(r.headers.get("access-control-max-age"), "600", path);
      assert.ok(varies(r.headers).includes("origin"), path);
      // The origin's security headers are on every answer, preflights included.
      assert.equal(r.headers.get("x-content-type-options"), "nosniff", path);
    }
  });

  test("the Python backend on its own port answers the trusted origin's preflight the same way, before protect()", async () => {
    const r = await preflight(backend.url, "/api/progress", "PUT");
    assert.equal(r.status, 204);
    assert.equal(r.headers.get("access-control-allow-origin"), DOCS);
    assert.equal(r.headers.get("access-control-allow-credentials"), "true");
    assert.match(r.headers.get("access-control-allow-methods") ?? "", /PUT/);
    assert.match(r.headers.get("access-control-allow-headers") ?? "", /Content-Type/i);
    // An OPTIONS that is not a preflight is an ordinary request: protect() still wants a session.
    const plain = await fetch(backend.url + "/api/progress", { method: "OPTIONS", headers: { origin: DOCS } });
    assert.deepEqual([plain.status, (await plain.json()).code], [401, "UNAUTHENTICATED"]);
  });

  test("a reader of the trusted origin signs up, onboards, reads through both servers and signs out; every answer lets that page read it", async () => {
    const reader = new TestClient(server.url, DOCS);
    const readable = (label: string, h: Headers) => {
      assert.equal(h.get("access-control-allow-origin"), DOCS, label);
      assert.equal(h.get("access-control-allow-credentials"), "true", label);
      assert.ok(varies(h).includes("origin"), label);
    };
    const fromDocs = { origin: DOCS };

    const signUp = await reader.post("/api/auth/sign-up/email", { email: "sibling@example.com", password: "a long password 1", name: "Sib" });
    assert.equal(signUp.status, 200);
    readable("sign-up", signUp.headers);

    const visitor = await fetch(server.url + "/api/auth/get-session", { headers: fromDocs });
    assert.equal(await visitor.json(), null);
    readable("get-session, visitor", visitor.headers);

    // Answered before Hono (the fast path) and through Better-Auth (a query string takes that path).
    for (const path of ["/api/auth/get-session", "/api/auth/get-session?disableCookieCache=true"]) {
      const s = await reader.get(path, fromDocs);
      assert.equal(s.json.user.email, "sibling@example.com", path);
      readable(path, s.headers);
    }

    const incomplete = await reader.get("/api/me", fromDocs);
    assert.deepEqual([incomplete.status, incomplete.json.code], [403, "PROFILE_INCOMPLETE"]);
    readable("/api/me before onboarding (the page can read the code)", incomplete.headers);

    const profile = await reader.post("/api/auth/profile", PROFILE);
    assert.equal(profile.status, 200);
    readable("profile", profile.headers);

    const me = await reader.get("/api/me", fromDocs);
    assert.deepEqual([me.status, me.json.user.email], [200, "sibling@example.com"]);
    readable("/api/me through the proxy", me.headers);
    const write = await reader.request("PUT", "/api/progress", { chapter: "variables", completed: true });
    assert.equal(write.status, 200);
    readable("PUT /api/progress through the proxy", write.headers);

    const direct = await fetch(backend.url + "/api/me", { headers: { ...fromDocs, cookie: reader.cookieHeader } });
    assert.equal((await direct.json()).user.email, "sibling@example.com");
    readable("/api/me on the backend's own port", direct.headers);
    const directWrite = await fetch(backend.url + "/api/progress", {
      method: "PUT",
      headers: { ...fromDocs, ...JSON_TYPE, cookie: reader.cookieHeader },
      body: JSON.stringify({ chapter: "functions", completed: true }),
    });
    assert.equal(directWrite.status, 200);
    readable("PUT /api/progress on the backend's own port", directWrite.headers);

    const signOut = await reader.post("/api/auth/sign-out", {});
    assert.equal(signOut.status, 200);
    readable("sign-out", signOut.headers);
    assert.equal((await reader.get("/api/auth/get-session", fromDocs)).json, null);
  });

  test("the session cookie carries Domain=COOKIE_DOMAIN and keeps Better-Auth's attributes (http: no Secure, no prefix)", async () => {
    const r = await new TestClient(server.url, DOCS).post("/api/auth/sign-up/email", { email: "domain@example.com", password: "a long password 1", name: "D" });
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token=") && !c.startsWith("better-auth.session_token=;"));
    assert.ok(cookie, r.headers.getSetCookie().join(" | "));
    assert.match(cookie, /; Domain=textbook\.test(;|$)/i);
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=Lax/i);
    assert.match(cookie, /; Path=\//i);
    assert.doesNotMatch(cookie, /; Secure/i);
  });

  test("a host-only session cookie left from before COOKIE_DOMAIN is expired by every answer that sets the domain one", async () => {
    // Left in place, the browser would send both to this host: a session cookie named twice is no session.
    const answers = [];
    const reader = new TestClient(server.url, DOCS);
    answers.push(await reader.post("/api/auth/sign-up/email", { email: "leftover@example.com", password: "a long password 1", name: "L" }));
    answers.push(await new TestClient(server.url, DOCS).post("/api/auth/sign-in/email", { email: "leftover@example.com", password: "a long password 1" }));
    answers.push(await reader.post("/api/auth/sign-out", {}));
    for (const r of answers) {
      const lines = r.headers.getSetCookie().filter((c) => c.startsWith("better-auth.session_token="));
      assert.equal(lines.length, 2, lines.join(" | "));
      assert.equal(lines[0], "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
      assert.match(lines[1]!, /; Domain=textbook\.test/i);
    }
    // Answers that set no session cookie get no expiry either.
    const untouched = await fetch(server.url + "/api/auth/ok", { headers: { origin: DOCS } });
    assert.deepEqual(untouched.headers.getSetCookie(), []);
  });

  test("CSRF rules are unchanged: a cookie-carrying write from the trusted origin passes, from a sibling that is not listed it is refused", async () => {
    const reader = new TestClient(server.url, DOCS);
    await reader.signUp("csrf-sibling@example.com", "a long password 1");
    assert.equal((await reader.post("/api/auth/profile", PROFILE)).status, 200);
    const intruder = { origin: "http://intruder.textbook.test:4000" };
    const refused = await reader.post("/api/auth/update-user", { name: "Pwned" }, intruder);
    assert.deepEqual([refused.status, refused.json.code], [403, "INVALID_ORIGIN"]);
    assert.deepEqual(corsHeaders(refused.headers), []);
    for (const base of [server.url, backend.url]) {
      const r = await fetch(base + "/api/progress", {
        method: "PUT",
        headers: { ...intruder, ...JSON_TYPE, cookie: reader.cookieHeader },
        body: JSON.stringify({ chapter: "variables", completed: true }),
      });
      assert.deepEqual([r.status, (await r.json()).code], [403, "INVALID_ORIGIN"], base);
      assert.deepEqual(corsHeaders(r.headers), [], base);
    }
    const control = await reader.post("/api/auth/update-user", { name: "Renamed" });
    assert.equal(control.status, 200);
  });

  test("requests without Origin (the auth server's own pages, servers) get no CORS headers, only Vary: Origin", async () => {
    for (const path of ["/api/auth/get-session", "/api/auth/ok", "/api/me", "/api/health"]) {
      const r = await fetch(server.url + path);
      assert.deepEqual(corsHeaders(r.headers), [], path);
      assert.ok(varies(r.headers).includes("origin"), path);
    }
  });

  test("Cross-Origin-Resource-Policy stays same-origin: it binds no-cors loads only, never a CORS read", async () => {
    // Fetch standard, "cross-origin resource policy internal check": a request whose mode is not no-cors is allowed.
    // The browser suite reads these answers from the docs origin with this header on them.
    const r = await fetch(server.url + "/api/auth/get-session", { headers: { origin: DOCS } });
    assert.equal(r.headers.get("cross-origin-resource-policy"), "same-origin");
    assert.equal(r.headers.get("access-control-allow-origin"), DOCS);
  });
});

describe("COOKIE_DOMAIN with an https public URL", () => {
  test("the session cookie is __Secure- prefixed, Secure, and carries the Domain", async () => {
    const db = await createTestDatabase();
    const server = await startTestServer(db.url, {
      PUBLIC_URL: "https://auth.textbook.test",
      TRUSTED_ORIGINS: "https://docs.textbook.test",
      COOKIE_DOMAIN: "textbook.test",
    });
    try {
      const r = await new TestClient(server.url, "https://docs.textbook.test").post("/api/auth/sign-up/email", {
        email: "secure-domain@example.com",
        password: "a long password 1",
        name: "S",
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("access-control-allow-origin"), "https://docs.textbook.test");
      const cookie = r.headers.getSetCookie().find((c) => /^__Secure-better-auth\.session_token=[^;]/.test(c));
      assert.ok(cookie, r.headers.getSetCookie().join(" | "));
      assert.match(cookie, /; Domain=textbook\.test(;|$)/i);
      assert.match(cookie, /; Secure/i);
      assert.match(cookie, /; SameSite=Lax/i);
      // The host-only leftover's expiry is Secure too, or the browser would refuse it for a __Secure- name.
      assert.ok(r.headers.getSetCookie().includes("__Secure-better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure"));
    } finally {
      await server.stop();
      await db.drop();
    }
  });
});
