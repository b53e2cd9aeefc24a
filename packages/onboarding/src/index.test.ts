import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { createTestDatabase } from "../../../scripts/test-postgres.mjs";
import { DEFAULT_PROFILE_FIELDS, migrateOnboarding, migrateProfileSchema, onboarding, questionsOf, SESSION_CHANGES_CHANNEL } from "./index";
import { DEVELOPER_ROLES, PYTHON_PROFICIENCIES } from "./profile-fields";
import fields from "./profile-fields.json";

const ORIGIN = "http://localhost:3000";

describe("onboarding plugin", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let auth: ReturnType<typeof makeAuth>;

  function makeAuth(p: pg.Pool) {
    return betterAuth({
      baseURL: ORIGIN,
      secret: "a-test-secret-with-enough-entropy-0123456789",
      database: p,
      emailAndPassword: { enabled: true },
      telemetry: { enabled: false },
      advanced: { disableOriginCheck: false }, // on by default only outside NODE_ENV=test
      plugins: [onboarding({ pool: p })],
    });
  }

  /** Drives the plugin through Better-Auth's real request pipeline, as a browser on ORIGIN would. */
  async function call(method: string, path: string, opts: { cookie?: string; body?: string; type?: string } = {}) {
    const headers = new Headers({ origin: ORIGIN });
    if (opts.cookie) headers.set("cookie", opts.cookie);
    if (opts.body !== undefined) headers.set("content-type", opts.type ?? "application/json");
    const res = await auth.handler(new Request(ORIGIN + "/api/auth" + path, { method, headers, body: opts.body }));
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, res };
  }

  async function signUp(email: string, extra: Record<string, unknown> = {}) {
    const r = await call("POST", "/sign-up/email", {
      body: JSON.stringify({ email, password: "correct horse battery", name: "R", ...extra }),
    });
    assert.equal(r.status, 200);
    const cookie = r.res.headers.getSetCookie()[0]!.split(";")[0]!;
    return { cookie, userId: r.json.user.id as string };
  }

  const storedRow = async (userId: string) =>
    (await pool.query("SELECT python_proficiency, developer_role, onboarding_completed FROM user_profile WHERE user_id = $1", [userId])).rows[0];

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 5 });
    auth = makeAuth(pool);
    await (await getMigrations(auth.options)).runMigrations();
    await migrateOnboarding(pool);
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  test("refuses construction without a pool", () => {
    assert.throws(() => onboarding({} as any), /pool/);
  });

  test("the migration is idempotent and creates the enum types from profile-fields.json", async () => {
    await migrateProfileSchema(pool);
    const { rows } = await pool.query(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       WHERE t.typname IN ('python_proficiency', 'developer_role') GROUP BY t.typname`,
    );
    const byName = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    assert.deepEqual(byName.python_proficiency, Object.keys(fields.pythonProficiency.values));
    assert.deepEqual(byName.developer_role, Object.keys(fields.developerRole.values));
  });

  test("the migration installs the change triggers: a profile written and a sign-out are announced on the channel", async () => {
    await migrateOnboarding(pool); // idempotent, as on every start
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const heard: unknown[] = [];
    listener.on("notification", (n) => n.channel === SESSION_CHANGES_CHANNEL && heard.push(JSON.parse(n.payload!)));
    await listener.query(`LISTEN ${SESSION_CHANGES_CHANNEL}`);
    try {
      const { cookie, userId } = await signUp("announced@example.com");
      const token = (await pool.query(`SELECT token FROM session WHERE "userId" = $1`, [userId])).rows[0].token;
      await call("POST", "/profile", { cookie, body: JSON.stringify({ pythonProficiency: "beginner", developerRole: "student" }) });
      assert.equal((await call("POST", "/sign-out", { cookie, body: "{}" })).status, 200);
      // A round trip on the listening connection delivers what was committed before it.
      await listener.query("SELECT 1");
      const deadline = Date.now() + 5000;
      while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(heard.slice(0, 2), [{ user: userId }, { token }]);
    } finally {
      await listener.end();
    }
  });

  test("GET /profile without a session is 401 UNAUTHENTICATED", async () => {
    const r = await call("GET", "/profile");
    assert.equal(r.status, 401);
    assert.equal(r.json.code, "UNAUTHENTICATED");
  });

  test("a new reader is incomplete; a valid POST completes the profile; get-session carries it", async () => {
    const { cookie } = await signUp("flow@example.com");
    let r = await call("GET", "/profile", { cookie });
    assert.deepEqual(r.json, { profile: null, complete: false, questions: questionsOf(DEFAULT_PROFILE_FIELDS) });
    assert.deepEqual(
      r.json.questions.at(1)?.options.slice(0, 2),
      [{ value: "student", label: "Student" }, { value: "frontend", label: "Frontend developer" }],
    );
    r = await call("GET", "/get-session", { cookie });
    assert.equal(r.json.user.profileComplete, false);
    assert.equal(r.json.profile, null);

    r = await call("POST", "/profile", { cookie, body: JSON.stringify({ pythonProficiency: "advanced", developerRole: "robotics" }) });
    assert.equal(r.status, 200);
    assert.equal(r.json.complete, true);
    assert.equal(r.json.profile.pythonProficiency, "advanced");
    assert.equal(r.json.profile.developerRole, "robotics");
    assert.equal(r.json.profile.onboardingCompleted, true);

    r = await call("GET", "/get-session", { cookie });
    assert.equal(r.json.user.profileComplete, true);
    assert.equal(r.json.profile.developerRole, "robotics");
    // The raw token stays out of reach of page scripts; the session is still described.
    assert.equal(r.json.session.token, undefined);
    assert.ok(r.json.session.id && r.json.session.expiresAt);

    // Changing the answers keeps one row.
    r = await call("POST", "/profile", { cookie, body: JSON.stringify({ pythonProficiency: "beginner", developerRole: "other" }) });
    assert.equal(r.json.profile.pythonProficiency, "beginner");
  });

  // The wire contract only. Hostile values, forged completion flags and cross-site writes are tried against the
  // running server in the attack suite (apps/server/src/http/attacks.test.ts).
  describe("a request that is not a JSON object with both answers is 400 INVALID_PROFILE and changes nothing", () => {
    const cases: [string, string, string?][] = [
      ["missing field", JSON.stringify({ pythonProficiency: "beginner" })],
      ["empty object", "{}"],
      ["non-JSON body", "pythonProficiency=beginner&developerRole=student"],
      ["non-JSON content type", "pythonProficiency=beginner", "application/x-www-form-urlencoded"],
      ["text/plain", '{"pythonProficiency":"beginner","developerRole":"student"}', "text/plain"],
    ];
    let cookie: string;
    let userId: string;
    before(async () => {
      ({ cookie, userId } = await signUp("bad-input@example.com"));
      const r = await call("POST", "/profile", { cookie, body: JSON.stringify({ pythonProficiency: "intermediate", developerRole: "devops" }) });
      assert.equal(r.status, 200);
    });
    for (const [name, body, type] of cases) {
      test(name, async () => {
        const r = await call("POST", "/profile", { cookie, body, type });
        assert.equal(r.status, 400);
        assert.equal(r.json.code, "INVALID_PROFILE");
        assert.equal(typeof r.json.message, "string");
        assert.deepEqual(await storedRow(userId), {
          python_proficiency: "intermediate",
          developer_role: "devops",
          onboarding_completed: true,
        });
      });
    }
  });

  test("every value of the one source is accepted", async () => {
    const { cookie } = await signUp("all-values@example.com");
    for (const pythonProficiency of PYTHON_PROFICIENCIES) {
      for (const developerRole of DEVELOPER_ROLES) {
        const r = await call("POST", "/profile", { cookie, body: JSON.stringify({ pythonProficiency, developerRole }) });
        assert.equal(r.status, 200, `${pythonProficiency}/${developerRole}`);
      }
    }
  });

  test("the database refuses an invalid enum value and a completed flag without answers", async () => {
    const { userId } = await signUp("sql@example.com");
    await assert.rejects(
      pool.query("INSERT INTO user_profile (user_id, python_proficiency, developer_role) VALUES ($1, 'expert', 'student')", [userId]),
      (e: any) => e.code === "22P02", // invalid_text_representation
    );
    await assert.rejects(
      pool.query("INSERT INTO user_profile (user_id, onboarding_completed) VALUES ($1, true)", [userId]),
      (e: any) => e.code === "23514", // check_violation
    );
    assert.equal(await storedRow(userId), undefined);
  });

  describe("get-session", () => {
    test("answers exactly what Better-Auth's own get-session answers, plus the profile", async () => {
      const { cookie } = await signUp("same-as-plain@example.com");
      await call("POST", "/profile", { cookie, body: JSON.stringify({ pythonProficiency: "advanced", developerRole: "devops" }) });
      const plain = betterAuth({ ...auth.options, plugins: [] });
      const theirs = await (await plain.handler(new Request(ORIGIN + "/api/auth/get-session", { headers: { cookie } }))).json();
      // Count round trips: Better-Auth's adapter checks out a client per query (connect); pool.query checks out one
      // itself, so one pool.query shows as { query: 1, connect: 1 } and Better-Auth's own path as more connects.
      const counts = { query: 0, connect: 0 };
      const { query, connect } = pool;
      pool.query = ((...a: any[]) => (counts.query++, (query as any).apply(pool, a))) as any;
      pool.connect = ((...a: any[]) => (counts.connect++, (connect as any).apply(pool, a))) as any;
      const ours = await call("GET", "/get-session", { cookie }).finally(() => Object.assign(pool, { query, connect }));
      assert.deepEqual(counts, { query: 1, connect: 1 }, "one query for session, user and profile");
      const { profileComplete, ...user } = ours.json.user;
      // The same payload, less the raw session token (nothing in the browser needs it).
      const { token, ...theirSession } = theirs.session;
      assert.ok(token);
      assert.deepEqual({ session: ours.json.session, user }, { ...theirs, session: theirSession });
      assert.equal(profileComplete, true);
      assert.equal(ours.json.profile.developerRole, "devops");
      assert.equal(ours.res.headers.get("cache-control"), "no-store");
      assert.deepEqual(ours.res.headers.getSetCookie(), []);
    });

    test("a session due for refresh is refreshed by Better-Auth, and still carries the profile", async () => {
      const { cookie, userId } = await signUp("refresh@example.com");
      await pool.query(`UPDATE session SET "expiresAt" = now() + interval '2 days' WHERE "userId" = $1`, [userId]);
      const r = await call("GET", "/get-session", { cookie });
      assert.equal(r.json.user.id, userId);
      assert.equal(r.json.session.token, undefined);
      assert.ok(new Date(r.json.session.expiresAt).getTime() > Date.now() + 6 * 86_400_000, "expiry pushed back");
      assert.ok(r.res.headers.getSetCookie().some((c) => c.startsWith("better-auth.session_token=")));
      assert.equal(r.json.user.profileComplete, false);
    });

    test("an expired session is null and its cookie is cleared", async () => {
      const { cookie, userId } = await signUp("expired@example.com");
      await pool.query(`UPDATE session SET "expiresAt" = now() - interval '1 second' WHERE "userId" = $1`, [userId]);
      const r = await call("GET", "/get-session", { cookie });
      assert.equal(r.json, null);
      assert.ok(r.res.headers.getSetCookie().some((c) => /better-auth.session_token=;/.test(c) || /Max-Age=0/i.test(c)));
    });
  });

  test("deleting a user deletes the profile", async () => {
    const { cookie, userId } = await signUp("cascade@example.com");
    await call("POST", "/profile", { cookie, body: JSON.stringify({ pythonProficiency: "beginner", developerRole: "student" }) });
    assert.ok(await storedRow(userId));
    await pool.query(`DELETE FROM "user" WHERE id = $1`, [userId]);
    assert.equal(await storedRow(userId), undefined);
  });
});
