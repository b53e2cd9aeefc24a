/** Abuse limits, named for the attack, against the real server with limits on. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { startTestServer } from "../testing/server";
import { TestClient } from "../testing/client";
import type { RunningServer } from "../server";

const PASSWORD = "the right password";
const from = (address: string) => ({ "x-forwarded-for": address });

describe("abuse limits", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let pool: pg.Pool;
  before(async () => {
    db = await createTestDatabase();
    // TRUST_PROXY lets the test speak from several addresses through X-Forwarded-For.
    server = await startTestServer(db.url, { RATE_LIMIT: "true", TRUST_PROXY: "true" });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  after(async () => {
    await pool.end();
    await server.stop();
    await db.drop();
  });

  const signIn = (c: TestClient, email: string, password: string, address: string) =>
    c.post("/api/auth/sign-in/email", { email, password }, from(address));

  test("brute force on one account: the 6th wrong password from one address is 429 with Retry-After; the owner still signs in from another address", async () => {
    const c = new TestClient(server.url);
    await c.post("/api/auth/sign-up/email", { email: "victim@example.com", password: PASSWORD, name: "V" }, from("198.51.100.1"));
    for (let i = 0; i < 5; i++) {
      const r = await signIn(c, "victim@example.com", `guess ${i}`, "203.0.113.7");
      assert.equal(r.status, 401, `attempt ${i}`);
    }
    const blocked = await signIn(c, "Victim@Example.com", PASSWORD, "203.0.113.7");
    assert.equal(blocked.status, 429);
    assert.equal(blocked.json.code, "TOO_MANY_ATTEMPTS");
    assert.ok(Number(blocked.headers.get("retry-after")) > 0);

    const owner = await signIn(new TestClient(server.url), "victim@example.com", PASSWORD, "198.51.100.1");
    assert.equal(owner.status, 200);
  });

  test("credential stuffing from one address: past 10 sign-in attempts a minute, 429 RATE_LIMITED with Retry-After", async () => {
    const c = new TestClient(server.url);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 12; i++) {
      last = await signIn(c, `nobody-${i}@example.com`, "whatever1", "203.0.113.99");
      statuses.push(last.status);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(last!.status, 429);
    assert.equal(last!.json.code, "RATE_LIMITED");
    assert.ok(Number(last!.headers.get("retry-after")) > 0);
    // Another address is not affected.
    assert.equal((await signIn(c, "nobody@example.com", "whatever1", "203.0.113.100")).status, 401);
  });

  test("the limiter's counters live in PostgreSQL, shared by every instance", async () => {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "rateLimit"`);
    assert.ok(rows[0].n > 0);
  });

  test("address spoofing: a client-sent copy of our internal address header is replaced", async () => {
    const c = new TestClient(server.url);
    await c.post(
      "/api/auth/sign-up/email",
      { email: "spoof@example.com", password: PASSWORD, name: "S" },
      { "x-forwarded-for": "192.0.2.44", "x-textbook-client-address": "6.6.6.6" },
    );
    const { rows } = await pool.query(
      `SELECT s."ipAddress" FROM session s JOIN "user" u ON u.id = s."userId" WHERE u.email = 'spoof@example.com'`,
    );
    assert.equal(rows[0].ipAddress, "192.0.2.44");
  });
});

describe("without TRUST_PROXY, X-Forwarded-For is not believed", () => {
  test("the session records the socket address", async () => {
    const db = await createTestDatabase();
    const server = await startTestServer(db.url, { RATE_LIMIT: "true" });
    try {
      const c = new TestClient(server.url);
      await c.post("/api/auth/sign-up/email", { email: "direct@example.com", password: PASSWORD, name: "D" }, from("192.0.2.99"));
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      const { rows } = await pool.query(`SELECT "ipAddress" FROM session`);
      await pool.end();
      assert.equal(rows[0].ipAddress, "127.0.0.1");
    } finally {
      await server.stop();
      await db.drop();
    }
  });
});
