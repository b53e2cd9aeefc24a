/**
 * The account page's server side over HTTP: name and password changes, the sessions list and its revocations,
 * deletion (password, or a fresh sign-in for readers without one) and what it removes, and the export. The Python
 * backend's part (its rows, its refusal of the old session) is in apps/backend/tests/test_account.py.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { startTestServer } from "../testing/server";
import { TestClient } from "../testing/client";
import type { RunningServer } from "../server";

const PASSWORD = "correct horse battery";
const PROFILE = { pythonProficiency: "beginner", developerRole: "robotics" };
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/** A stand-in backend: answers GET /api/me/export with what `answer` says, and records the headers it got. */
async function fakeBackend(answer: () => { status: number; body?: unknown }) {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const { status, body } = req.url === "/api/me/export" ? answer() : { status: 404, body: { code: "NOT_FOUND" } };
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, stop: () => new Promise((r) => server.close(r)) };
}

describe("the account page's server side", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let pool: pg.Pool;
  let backendAnswer: { status: number; body?: unknown } = { status: 200, body: { readingProgress: [{ chapter: "variables" }] } };
  let backend: Awaited<ReturnType<typeof fakeBackend>>;
  before(async () => {
    db = await createTestDatabase();
    backend = await fakeBackend(() => backendAnswer);
    server = await startTestServer(db.url, { BACKEND_URL: backend.url });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  after(async () => {
    await pool.end();
    await server.stop();
    await backend.stop();
    await db.drop();
  });

  async function reader(email: string, userAgent = FIREFOX) {
    const c = new TestClient(server.url);
    const id = await c.request("POST", "/api/auth/sign-up/email", { email, password: PASSWORD, name: "Reader" }, { "user-agent": userAgent });
    assert.equal(id.status, 200, id.text);
    return { c, id: id.json.user.id as string };
  }

  async function signIn(email: string, password = PASSWORD, userAgent = "curl/8.0") {
    const c = new TestClient(server.url);
    const r = await c.request("POST", "/api/auth/sign-in/email", { email, password }, { "user-agent": userAgent });
    assert.equal(r.status, 200, r.text);
    return c;
  }

  test("change the name", async () => {
    const { c } = await reader("renamed@example.com");
    assert.equal((await c.post("/api/auth/update-user", { name: "Ada L." })).status, 200);
    assert.equal((await c.get("/api/auth/get-session")).json.user.name, "Ada L.");
  });

  test("change the password: the current one is required; other sessions end only when asked", async () => {
    const { c } = await reader("changer@example.com");
    const other = await signIn("changer@example.com");
    const wrong = await c.post("/api/auth/change-password", { currentPassword: "not it at all", newPassword: "the second password" });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.code, "INVALID_PASSWORD");
    const missing = await c.post("/api/auth/change-password", { newPassword: "the second password" });
    assert.equal(missing.status, 400);

    assert.equal((await c.post("/api/auth/change-password", { currentPassword: PASSWORD, newPassword: "the second password" })).status, 200);
    assert.notEqual((await other.get("/api/auth/get-session")).json, null, "kept without revokeOtherSessions");

    const r = await c.post("/api/auth/change-password", { currentPassword: "the second password", newPassword: "the third password", revokeOtherSessions: true });
    assert.equal(r.status, 200);
    assert.equal((await other.get("/api/auth/get-session")).json, null);
    assert.notEqual((await c.get("/api/auth/get-session")).json, null, "this device stays signed in");
  });

  test("sessions: listed with browser, address and times; revoke one; revoke all others", async () => {
    const { c } = await reader("sessions@example.com");
    const second = await signIn("sessions@example.com");
    const third = await signIn("sessions@example.com");
    const list = await c.get("/api/auth/list-sessions");
    assert.equal(list.status, 200);
    assert.equal(list.json.length, 3);
    const current = (await c.get("/api/auth/get-session")).json.session;
    const mine = list.json.find((s: any) => s.id === current.id);
    assert.equal(mine.userAgent, FIREFOX);
    assert.equal(mine.ipAddress, "127.0.0.1");
    for (const s of list.json) for (const field of ["createdAt", "updatedAt", "expiresAt"]) assert.ok(!Number.isNaN(Date.parse(s[field])));

    // A listed token is not a credential on its own (bearer requires the signed form).
    const other = list.json.find((s: any) => s.id !== current.id);
    const asBearer = await new TestClient(server.url).get("/api/auth/get-session", { authorization: `Bearer ${other.token}` });
    assert.equal(asBearer.json, null);

    const secondId = (await second.get("/api/auth/get-session")).json.session.id;
    const secondToken = list.json.find((s: any) => s.id === secondId).token;
    assert.equal((await c.post("/api/auth/revoke-session", { token: secondToken })).status, 200);
    assert.equal((await second.get("/api/auth/get-session")).json, null);
    assert.notEqual((await third.get("/api/auth/get-session")).json, null);

    assert.equal((await c.post("/api/auth/revoke-other-sessions", {})).status, 200);
    assert.equal((await third.get("/api/auth/get-session")).json, null);
    assert.equal((await c.get("/api/auth/list-sessions")).json.length, 1);
  });

  test("a reader cannot revoke another reader's session", async () => {
    const { c: a } = await reader("owner-a@example.com");
    const { c: b } = await reader("owner-b@example.com");
    const bToken = (await b.get("/api/auth/list-sessions")).json[0].token;
    await a.post("/api/auth/revoke-session", { token: bToken });
    assert.notEqual((await b.get("/api/auth/get-session")).json, null);
  });

  test("delete: the password is required, then the user, sessions, accounts, profile and tokens go", async () => {
    const { c, id } = await reader("leaving@example.com");
    assert.equal((await c.post("/api/auth/profile", PROFILE)).status, 200);
    const other = await signIn("leaving@example.com");
    await pool.query(`INSERT INTO verification (id, identifier, value, "expiresAt", "createdAt", "updatedAt") VALUES ('v-leaving', 'reset-password:abc', $1, now() + interval '1 hour', now(), now())`, [id]);

    const none = await c.post("/api/auth/delete-user", {});
    assert.equal(none.status, 400);
    assert.equal(none.json.code, "PASSWORD_REQUIRED");
    const wrong = await c.post("/api/auth/delete-user", { password: "not the password" });
    assert.equal(wrong.json.code, "INVALID_PASSWORD");
    assert.equal((await pool.query(`SELECT 1 FROM "user" WHERE id = $1`, [id])).rowCount, 1);

    const ok = await c.post("/api/auth/delete-user", { password: PASSWORD });
    assert.equal(ok.status, 200, ok.text);
    for (const [table, column] of [["\"user\"", "id"], ["session", "\"userId\""], ["account", "\"userId\""], ["user_profile", "user_id"], ["verification", "value"]]) {
      assert.equal((await pool.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [id])).rowCount, 0, table);
    }
    assert.equal((await c.get("/api/auth/get-session")).json, null);
    assert.equal((await other.get("/api/auth/get-session")).json, null);
    const again = await new TestClient(server.url).post("/api/auth/sign-in/email", { email: "leaving@example.com", password: PASSWORD });
    assert.equal(again.json.code, "INVALID_EMAIL_OR_PASSWORD");
  });

  test("delete without a password (a social-only reader): only from a sign-in of the last 15 minutes", async () => {
    const { c, id } = await reader("social-only@example.com");
    // What a reader who signed up with GitHub has: no credential account.
    await pool.query(`UPDATE account SET "providerId" = 'github', "accountId" = 'gh-1', password = NULL WHERE "userId" = $1`, [id]);
    await pool.query(`UPDATE session SET "createdAt" = now() - interval '1 hour' WHERE "userId" = $1`, [id]);
    const stale = await c.post("/api/auth/delete-user", {});
    assert.equal(stale.status, 403);
    assert.equal(stale.json.code, "SESSION_NOT_FRESH");

    await pool.query(`UPDATE session SET "createdAt" = now() WHERE "userId" = $1`, [id]);
    const ok = await c.post("/api/auth/delete-user", {});
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await pool.query(`SELECT 1 FROM "user" WHERE id = $1`, [id])).rowCount, 0);
  });

  test("export: user, profile, sessions, linked accounts and the backend's data, as a download, without secrets", async () => {
    backendAnswer = { status: 200, body: { readingProgress: [{ chapter: "variables", completedAt: "2026-01-01T00:00:00Z" }] } };
    const { c, id } = await reader("exporter@example.com");
    await c.post("/api/auth/profile", PROFILE);
    await signIn("exporter@example.com");
    const r = await c.get("/api/auth/account/export");
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get("content-disposition")!, /^attachment; filename="textbook-account-\d{4}-\d{2}-\d{2}\.json"$/);
    assert.equal(r.headers.get("cache-control"), "no-store");
    const data = r.json;
    assert.equal(data.format, "textbook-account-export/1");
    assert.equal(data.user.id, id);
    assert.equal(data.user.email, "exporter@example.com");
    assert.equal(data.profile.pythonProficiency, "beginner");
    assert.equal(data.profile.developerRole, "robotics");
    assert.equal(data.sessions.length, 2);
    assert.equal(data.sessions.filter((s: any) => s.current).length, 1);
    assert.deepEqual(data.accounts.map((a: any) => a.providerId), ["credential"]);
    assert.deepEqual(data.backend, backendAnswer.body);
    // No credential of any kind: session tokens, password hashes, provider tokens.
    const text = r.text;
    for (const session of (await pool.query(`SELECT token FROM session WHERE "userId" = $1`, [id])).rows) assert.ok(!text.includes(session.token));
    assert.ok(!/"(token|password|accessToken|refreshToken|idToken)"/.test(text), text);
    // The backend was asked with the reader's own cookie.
    assert.match(String(backend.seen.at(-1)!.cookie), /better-auth\.session_token=/);
  });

  test("export: a backend without the endpoint gives backend: null; a backend that fails fails the export", async () => {
    const { c } = await reader("export-fallbacks@example.com");
    backendAnswer = { status: 404, body: { code: "NOT_FOUND" } };
    assert.equal((await c.get("/api/auth/account/export")).json.backend, null);
    backendAnswer = { status: 500, body: { code: "INTERNAL_ERROR" } };
    const failed = await c.get("/api/auth/account/export");
    assert.equal(failed.status, 502);
    assert.equal(failed.json.code, "UPSTREAM_UNAVAILABLE");
    assert.equal((await new TestClient(server.url).get("/api/auth/account/export")).status, 401);
  });
});
