/** Fault suite for the auth server: the database going away, and heavy concurrency. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createTestDatabase, startStoppablePostgres } from "../../../scripts/test-postgres.mjs";
import { startTestServer } from "./testing/server";
import { TestClient } from "./testing/client";
import type { RunningServer } from "./server";
import { DEVELOPER_ROLES, PYTHON_PROFICIENCIES } from "@textbook-auth/onboarding";

describe("the database stops mid-run", () => {
  let database: Awaited<ReturnType<typeof startStoppablePostgres>>;
  let server: RunningServer;
  before(async () => {
    database = await startStoppablePostgres();
    server = await startTestServer(database.url);
  });
  after(async () => {
    await server.stop();
    await database.destroy();
  });

  test("503 AUTH_UNAVAILABLE while it is down, recovery on its own, no acknowledged write lost", async () => {
    const readers = Array.from({ length: 10 }, () => new TestClient(server.url));
    const acknowledged = new Map<string, string>();
    for (const [i, c] of readers.entries()) {
      const id = await c.signUp(`fault-${i}@example.com`);
      const role = DEVELOPER_ROLES[i % DEVELOPER_ROLES.length]!;
      const r = await c.post("/api/auth/profile", { pythonProficiency: "advanced", developerRole: role });
      if (r.status === 200) acknowledged.set(id, role);
    }
    assert.equal(acknowledged.size, 10);

    await database.stop();
    const down = await Promise.all([
      readers[0]!.get("/api/auth/get-session"),
      readers[1]!.post("/api/auth/profile", { pythonProficiency: "beginner", developerRole: "other" }),
      new TestClient(server.url).post("/api/auth/sign-up/email", { email: "during@example.com", password: "a long password", name: "D" }),
      new TestClient(server.url).get("/healthz"),
    ]);
    for (const r of down.slice(0, 3)) {
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.code, "AUTH_UNAVAILABLE");
    }
    assert.equal(down[3]!.status, 503);
    assert.equal(down[3]!.json.database, "unreachable");

    await database.start();
    // The pool replaces its broken connections by itself: no restart of the server. Bounded wait.
    let session;
    for (let i = 0; i < 50; i++) {
      session = await readers[0]!.get("/api/auth/get-session");
      if (session.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(session!.status, 200);
    assert.ok(session!.json.user);

    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const { rows } = await pool.query(`SELECT user_id, developer_role FROM user_profile`);
    await pool.end();
    const stored = new Map(rows.map((r) => [r.user_id, r.developer_role]));
    for (const [id, role] of acknowledged) assert.equal(stored.get(id), role, `acknowledged write for ${id}`);
  });
});

describe("concurrency", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let pool: pg.Pool;
  before(async () => {
    db = await createTestDatabase();
    server = await startTestServer(db.url, { DATABASE_POOL_MAX: "20" });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  after(async () => {
    await pool.end();
    await server.stop();
    await db.drop();
  });

  test("20 parallel onboarding submissions by one reader end in exactly one consistent row", async () => {
    const c = new TestClient(server.url);
    const id = await c.signUp("racer@example.com");
    const submissions = Array.from({ length: 20 }, (_, i) => ({
      pythonProficiency: PYTHON_PROFICIENCIES[i % PYTHON_PROFICIENCIES.length]!,
      developerRole: DEVELOPER_ROLES[i % DEVELOPER_ROLES.length]!,
    }));
    const results = await Promise.all(submissions.map((s) => c.post("/api/auth/profile", s)));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
    const { rows } = await pool.query(`SELECT * FROM user_profile WHERE user_id = $1`, [id]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].onboarding_completed, true);
    // Consistent: the stored pair is one of the submitted pairs, never a mix of two.
    assert.ok(submissions.some((s) => s.pythonProficiency === rows[0].python_proficiency && s.developerRole === rows[0].developer_role));
  });

  test("200 concurrent sign-up-and-onboard journeys all persist with no errors", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const c = new TestClient(server.url);
        const up = await c.post("/api/auth/sign-up/email", { email: `crowd-${i}@example.com`, password: "a long password", name: `C${i}` });
        const onboard = await c.post("/api/auth/profile", { pythonProficiency: "intermediate", developerRole: "backend" });
        const session = await c.get("/api/auth/get-session");
        return [up.status, onboard.status, session.json?.user?.profileComplete === true ? 200 : 0];
      }),
    );
    assert.deepEqual(new Set(statuses.flat()), new Set([200]));
    const { rows } = await pool.query(
      `SELECT count(*)::int AS users, count(*) FILTER (WHERE p.onboarding_completed)::int AS complete
       FROM "user" u LEFT JOIN user_profile p ON p.user_id = u.id WHERE u.email LIKE 'crowd-%'`,
    );
    assert.deepEqual(rows[0], { users: 200, complete: 200 });
  });
});
