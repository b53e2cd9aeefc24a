import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import assert from "node:assert/strict";
import pg from "pg";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { betterAuth } from "better-auth";
import { addressKey, DEFAULT_THROTTLE, releaseAttempt, reserveAttempt, THROTTLE_SCHEMA } from "./sign-in-throttle";
import { authOptions } from "./auth";
import { loadConfig } from "../config";
import { migrate } from "../database/migrate";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address";
import { TEST_SECRET } from "../testing/server";

const ORIGIN = "http://127.0.0.1:3997";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
// Two pools stand for two server instances: the reservation must be atomic across processes, not just in one.
let pools: pg.Pool[];
before(async () => {
  db = await createTestDatabase();
  pools = [0, 1].map(() => new pg.Pool({ connectionString: db.url, max: 10 }));
  // A database from before reservations: the failure table without its id column, holding failures.
  await pools[0]!.query(`CREATE TABLE sign_in_failure (email text NOT NULL, address text NOT NULL, failed_at timestamptz NOT NULL DEFAULT now())`);
  await pools[0]!.query(`INSERT INTO sign_in_failure (email, address) VALUES ('old@example.com', '192.0.2.1'), ('old@example.com', '192.0.2.1')`);
  await pools[0]!.query(THROTTLE_SCHEMA);
  await pools[1]!.query(THROTTLE_SCHEMA); // idempotent: every instance runs it at start
});
after(async () => {
  for (const pool of pools ?? []) await pool.end();
  await db?.drop();
});

test("a database from before reservations keeps its failures: they still count against the limit", async () => {
  const limits = { perAddress: 3, perAccount: 50, windowSeconds: 900 };
  assert.equal((await reserveAttempt(pools[0]!, "old@example.com", "192.0.2.1", limits)).allowed, true);
  const refused = await reserveAttempt(pools[0]!, "old@example.com", "192.0.2.1", limits);
  assert.equal(refused.allowed, false);
  assert.ok(!refused.allowed && refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 900);
});

test("200 concurrent reservations through two pools: exactly the per-account limit is granted", async () => {
  const limits = { perAddress: 1000, perAccount: 37, windowSeconds: 900 };
  // Every connection open before the burst, so the reservations really run side by side.
  for (const pool of pools) {
    const clients = await Promise.all(Array.from({ length: 10 }, () => pool.connect()));
    for (const client of clients) client.release();
  }
  const attempts = Array.from({ length: 200 }, (_, i) => reserveAttempt(pools[i % 2]!, "burst@example.com", `198.51.100.${i % 50}`, limits));
  const granted = (await Promise.all(attempts)).filter((r) => r.allowed);
  assert.equal(granted.length, 37);
});

test("a reservation not yet committed holds a concurrent one back, which then counts it: one slot, two contenders, one wins", async () => {
  // Deterministic where a burst is only likely to race: without the lock the contender answers at once, and a
  // contender that waited for the lock but counted with the snapshot it had before would also be granted.
  const limits = { perAddress: 1, perAccount: 1, windowSeconds: 900 };
  const holder = await pools[0]!.connect();
  try {
    await holder.query("BEGIN");
    assert.ok((await reserveAttempt(holder, "race@example.com", "203.0.113.50", limits)).allowed);
    const contender = reserveAttempt(pools[1]!, "race@example.com", "203.0.113.51", limits);
    const early = await Promise.race([contender.then(() => "answered"), delay(300).then(() => "waiting")]);
    assert.equal(early, "waiting");
    await holder.query("COMMIT");
    assert.equal((await contender).allowed, false);
  } finally {
    await holder.query("ROLLBACK").catch(() => {});
    holder.release();
  }
});

test("a released reservation gives its slot back; a success also clears that address's failures", async () => {
  const limits = { perAddress: 2, perAccount: 50, windowSeconds: 900 };
  const email = "release@example.com";
  const first = await reserveAttempt(pools[0]!, email, "203.0.113.1", limits);
  const second = await reserveAttempt(pools[1]!, email, "203.0.113.1", limits);
  assert.ok(first.allowed && second.allowed);
  assert.equal((await reserveAttempt(pools[0]!, email, "203.0.113.1", limits)).allowed, false);
  await releaseAttempt(pools[0]!, second.id);
  const third = await reserveAttempt(pools[0]!, email, "203.0.113.1", limits);
  assert.ok(third.allowed);
  // Another address's failure survives a success here.
  assert.ok((await reserveAttempt(pools[0]!, email, "203.0.113.2", limits)).allowed);
  await releaseAttempt(pools[0]!, third.id, { email: email.toUpperCase(), address: "203.0.113.1" });
  const { rows } = await pools[0]!.query(`SELECT address FROM sign_in_failure WHERE email = $1`, [email]);
  assert.deepEqual(rows, [{ address: "203.0.113.2" }]);
});

test("address keys: IPv6 by its /64 in one spelling, IPv4-mapped IPv6 as IPv4, IPv4 as is", () => {
  assert.equal(addressKey("2001:db8:1:2::1"), addressKey("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff"));
  assert.notEqual(addressKey("2001:db8:1:2::1"), addressKey("2001:db8:1:3::1"));
  assert.equal(addressKey("::ffff:192.0.2.7"), "192.0.2.7");
  assert.equal(addressKey("192.0.2.7"), "192.0.2.7");
  assert.notEqual(addressKey("192.0.2.7"), addressKey("192.0.2.8"));
});

test("the plugin throttles inside Better-Auth, whatever mounts it: a form with repeated fields counts the account whose password is checked", async () => {
  // Better-Auth's own handler, no Hono in front: the throttle is part of the auth instance (issue 13). Its own
  // database, since this file's shares a table from before reservations.
  const own = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: own.url, max: 4 });
  // Dropping the database ends idle connections; without a listener that would be an uncaught error.
  pool.on("error", () => {});
  try {
    const config = loadConfig({ NODE_ENV: "test", PUBLIC_URL: ORIGIN, DATABASE_URL: own.url, BETTER_AUTH_SECRET: TEST_SECRET, RATE_LIMIT: "true" });
    const options = authOptions(config, pool, TEST_SECRET);
    await migrate(pool, options);
    const { handler } = betterAuth(options);
    const post = (path: string, body: string, type: string) =>
      handler(new Request(ORIGIN + path, { method: "POST", headers: { origin: ORIGIN, "content-type": type, [CLIENT_ADDRESS_HEADER]: "192.0.2.99" }, body }));
    const password = "correct horse battery";
    const signUp = await post("/api/auth/sign-up/email", JSON.stringify({ email: "victim@example.com", password, name: "V" }), "application/json");
    assert.equal(signUp.status, 200);
    // Better-Auth's parser keeps the last of repeated fields: every guess is checked against the victim's password.
    const guess = (pw: string) =>
      post("/api/auth/sign-in/email", new URLSearchParams([["email", "decoy@example.com"], ["email", "victim@example.com"], ["password", pw]]).toString(), "application/x-www-form-urlencoded");
    for (let i = 0; i < DEFAULT_THROTTLE.perAddress; i++) assert.equal((await guess(`guess ${i}`)).status, 401, `guess ${i}`);
    const refused = await guess(password);
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).code, "TOO_MANY_ATTEMPTS");
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    // The decoy was never counted.
    assert.equal((await pool.query(`SELECT count(*)::int AS n FROM sign_in_failure WHERE email = 'decoy@example.com'`)).rows[0].n, 0);
  } finally {
    await pool.end();
    await own.drop();
  }
});
