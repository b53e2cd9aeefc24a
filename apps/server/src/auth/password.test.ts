import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { hashPassword as betterAuthDefaultHash } from "better-auth/crypto";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { startTestServer } from "../testing/server";
import { TestClient } from "../testing/client";
import type { RunningServer } from "../server";
import { hashPassword, needsRehash, verifyAnyPassword } from "./password";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: RunningServer;
let pool: pg.Pool;
before(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
after(async () => {
  await pool.end();
  await server.stop();
  await db.drop();
});

const storedHash = async (email: string) =>
  (await pool.query(`SELECT a.password FROM account a JOIN "user" u ON u.id = a."userId" WHERE u.email = $1`, [email]))
    .rows[0].password as string;

test("new passwords are stored as argon2id with at least 19 MiB and 2 iterations", async () => {
  await new TestClient(server.url).signUp("argon@example.com", "a long password 1");
  const stored = await storedHash("argon@example.com");
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  assert.ok(m, stored);
  assert.ok(Number(m[1]) >= 19_456);
  assert.ok(Number(m[2]) >= 2);
  assert.equal(needsRehash(stored), false);
});

test("a hash made by Better-Auth's default still signs in, and is upgraded to argon2id on that sign-in", async () => {
  const c = new TestClient(server.url);
  await c.signUp("legacy@example.com", "old password 123");
  const legacy = await betterAuthDefaultHash("old password 123");
  await pool.query(`UPDATE account SET password = $1 FROM "user" u WHERE u.id = account."userId" AND u.email = $2`, [
    legacy,
    "legacy@example.com",
  ]);
  assert.equal(needsRehash(legacy), true);

  const wrong = await c.post("/api/auth/sign-in/email", { email: "legacy@example.com", password: "not it at all" });
  assert.equal(wrong.status, 401);
  assert.equal(await storedHash("legacy@example.com"), legacy, "a failed sign-in changes nothing");

  const ok = await c.post("/api/auth/sign-in/email", { email: "legacy@example.com", password: "old password 123" });
  assert.equal(ok.status, 200);
  const upgraded = await storedHash("legacy@example.com");
  assert.match(upgraded, /^\$argon2id\$/);
  const again = await c.post("/api/auth/sign-in/email", { email: "legacy@example.com", password: "old password 123" });
  assert.equal(again.status, 200);
});

test("verification refuses wrong passwords and garbage hashes", async () => {
  const h = await hashPassword("right");
  assert.equal(await verifyAnyPassword(h, "right"), true);
  assert.equal(await verifyAnyPassword(h, "wrong"), false);
  assert.equal(await verifyAnyPassword("$argon2id$garbage", "right"), false);
});
