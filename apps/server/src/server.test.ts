/** The auth server end to end over HTTP, against real PostgreSQL (a test database, or the embedded one). */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createTestDatabase, freePort } from "../../../scripts/test-postgres.mjs";
import { startTestServer } from "./testing/server";
import { TestClient } from "./testing/client";
import { rawExchange, rawRequest } from "./testing/raw-http";
import type { RunningServer } from "./server";

const PROFILE = { pythonProficiency: "intermediate", developerRole: "data_science" };

describe("auth server over HTTP", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  before(async () => {
    db = await createTestDatabase();
    server = await startTestServer(db.url);
  });
  after(async () => {
    await server.stop();
    await db.drop();
  });

  test("sign-up, get-session, sign-out, sign-in", async () => {
    const c = new TestClient(server.url);
    const userId = await c.signUp("journey@example.com", "a long password 1");
    let s = await c.get("/api/auth/get-session");
    assert.equal(s.json.user.id, userId);
    assert.equal(s.json.user.profileComplete, false);
    assert.equal(s.json.profile, null);

    assert.equal((await c.post("/api/auth/sign-out", {})).status, 200);
    s = await c.get("/api/auth/get-session");
    assert.equal(s.json, null);

    const bad = await c.post("/api/auth/sign-in/email", { email: "journey@example.com", password: "wrong password" });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.code, "INVALID_EMAIL_OR_PASSWORD");

    const ok = await c.post("/api/auth/sign-in/email", { email: "journey@example.com", password: "a long password 1" });
    assert.equal(ok.status, 200);
    s = await c.get("/api/auth/get-session");
    assert.equal(s.json.user.id, userId);
  });

  test("the session cookie is HttpOnly, SameSite=Lax and host-only", async () => {
    const r = await fetch(server.url + "/api/auth/sign-up/email", {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/json" },
      body: JSON.stringify({ email: "cookie@example.com", password: "a long password 1", name: "C" }),
    });
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    // Host-only unless COOKIE_DOMAIN says otherwise (http/cors.test.ts): no sibling host receives it.
    assert.doesNotMatch(cookie, /Domain=/i);
  });

  test("profile through the server; get-session carries it", async () => {
    const c = new TestClient(server.url);
    await c.signUp("profile@example.com");
    const r = await c.post("/api/auth/profile", PROFILE);
    assert.equal(r.status, 200);
    assert.equal(r.json.complete, true);
    const s = await c.get("/api/auth/get-session");
    assert.equal(s.json.user.profileComplete, true);
    assert.equal(s.json.profile.developerRole, "data_science");
  });

  test("/api/* goes to the backend; a dead backend is 502 UPSTREAM_UNAVAILABLE and /healthz names it", async () => {
    const r = await new TestClient(server.url).get("/api/me");
    assert.equal(r.status, 502);
    assert.equal(r.json.code, "UPSTREAM_UNAVAILABLE");
    const h = await new TestClient(server.url).get("/healthz");
    assert.equal(h.status, 503);
    assert.equal(h.json.database, "ok");
    assert.equal(h.json.backend, "unreachable");
  });

  test("50 parallel sign-ups followed by onboarding: 50 users, 50 complete profiles, no errors", async () => {
    const clients = Array.from({ length: 50 }, () => new TestClient(server.url));
    const statuses = await Promise.all(
      clients.map(async (c, i) => {
        await c.signUp(`parallel-${i}@example.com`);
        return (await c.post("/api/auth/profile", PROFILE)).status;
      }),
    );
    assert.deepEqual(new Set(statuses), new Set([200]));
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const { rows } = await pool.query(
      `SELECT count(*)::int AS users, count(p.user_id)::int AS profiles, count(*) FILTER (WHERE p.onboarding_completed)::int AS complete
       FROM "user" u LEFT JOIN user_profile p ON p.user_id = u.id WHERE u.email LIKE 'parallel-%'`,
    );
    await pool.end();
    assert.deepEqual(rows[0], { users: 50, profiles: 50, complete: 50 });
  });
});

describe("an https public URL", () => {
  test("gives Secure, __Secure- prefixed, HttpOnly, SameSite=Lax session cookies, and security headers", async () => {
    const db = await createTestDatabase();
    const server = await startTestServer(db.url, { PUBLIC_URL: "https://book.example" });
    try {
      const r = await fetch(server.url + "/api/auth/sign-up/email", {
        method: "POST",
        headers: { origin: "https://book.example", "content-type": "application/json" },
        body: JSON.stringify({ email: "secure@example.com", password: "a long password 1", name: "S" }),
      });
      assert.equal(r.status, 200);
      const cookie = r.headers.getSetCookie().find((c) => c.startsWith("__Secure-better-auth.session_token="));
      assert.ok(cookie, r.headers.getSetCookie().join(" | "));
      assert.match(cookie, /; Secure/i);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      const page = await fetch(server.url + "/");
      assert.equal(page.headers.get("x-content-type-options"), "nosniff");
      assert.equal(page.headers.get("x-frame-options"), "SAMEORIGIN");
      assert.match(page.headers.get("strict-transport-security") ?? "", /max-age=/);
      assert.equal(page.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
      // Proxied /api/* answers skip Hono; they still carry the same security headers (here: the dead backend's 502).
      const api = await fetch(server.url + "/api/me");
      assert.equal(api.status, 502);
      const security = (h: Headers) => [...h].filter(([name]) => /^(x-|strict-transport|referrer|cross-origin|origin-agent)/.test(name));
      assert.ok(security(page.headers).length >= 8);
      assert.deepEqual(security(api.headers), security(page.headers));
      // get-session answered before Hono (a signed-in reader, a visitor) carries them too.
      const signedIn = await fetch(server.url + "/api/auth/get-session", { headers: { cookie: cookie.split(";")[0]! } });
      assert.equal((await signedIn.json()).user.email, "secure@example.com");
      const visitor = await fetch(server.url + "/api/auth/get-session");
      assert.equal(await visitor.json(), null);
      for (const answer of [signedIn, visitor]) {
        assert.deepEqual(security(answer.headers), security(page.headers));
        assert.equal(answer.headers.get("cache-control"), "no-store");
      }
    } finally {
      await server.stop();
      await db.drop();
    }
  });
});

describe("slow clients", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  // A backend that reads whatever it is sent and never answers, so only the front server's timeout can end a request.
  // It counts the connections that carried bytes and are still open.
  let silentOpen = 0;
  const silent = net.createServer((socket) => {
    socket.once("data", () => {
      silentOpen++;
      socket.on("close", () => silentOpen--);
    });
  });
  before(async () => {
    db = await createTestDatabase();
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    server = await startTestServer(db.url, {
      HTTP_HEADERS_TIMEOUT_MS: "300",
      HTTP_REQUEST_TIMEOUT_MS: "600",
      BACKEND_URL: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
    });
  });
  after(async () => {
    await server.stop();
    await new Promise((r) => silent.close(r));
    await db.drop();
  });

  test("a connection that never finishes its headers is closed with 408", async () => {
    const answer = await rawExchange(server.url, "GET / HTTP/1.1\r\nHost: front\r\nX-Slow: ", { expect: 2, maxMs: 5_000 });
    assert.equal(answer.closed, true, "the server closed the connection");
    assert.deepEqual(answer.statuses, [408]);
  });

  test("a request whose body never finishes is closed with 408, on the proxied path too", async () => {
    for (const target of ["/api/progress", "/api/auth/sign-in/email"]) {
      const head = rawRequest("POST", target, { Host: "front", "Content-Type": "application/json", "Content-Length": 100 }, "{");
      const answer = await rawExchange(server.url, head, { expect: 2, maxMs: 5_000 });
      assert.equal(answer.closed, true, target);
      assert.deepEqual(answer.statuses, [408], target);
    }
    // The half-sent request's upstream connection went with it.
    for (let i = 0; i < 100 && silentOpen > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(silentOpen, 0);
  });
});

describe("embedded PostgreSQL: a restart keeps users, sessions and profiles", () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "textbook-data-"));
    chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as its own user
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test("sign up and onboard, stop everything, start again: same reader, still signed in, same profile", async () => {
    const env = { DATABASE_URL: "", DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
    const port = String(await freePort());
    let server = await startTestServer("", { ...env, PORT: port });
    const c = new TestClient(server.url);
    const userId = await c.signUp("restart@example.com");
    await c.post("/api/auth/profile", PROFILE);
    await server.stop();

    server = await startTestServer("", { ...env, PORT: port });
    try {
      const s = await c.get("/api/auth/get-session");
      assert.equal(s.json?.user.id, userId);
      assert.equal(s.json.user.profileComplete, true);
      assert.equal(s.json.profile.developerRole, PROFILE.developerRole);
    } finally {
      await server.stop();
    }
  });
});
