/**
 * Profile requirements that change: a database holding complete profiles is migrated to new questions (a removed
 * value, a new required question); readers whose answers no longer satisfy them are incomplete again with their
 * answers kept, until they answer; migrating back restores them. Real PostgreSQL, the real plugin in Better-Auth.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { createTestDatabase } from "../../../scripts/test-postgres.mjs";
import { DEFAULT_PROFILE_FIELDS, migrateProfileSchema, onboarding, parseProfileFields, requirementsFingerprint, type ProfileField } from "./index";
import fields from "./profile-fields.json";

const ORIGIN = "http://localhost:3000";

/** profile-fields.json with "robotics" no longer offered, "embedded" offered instead, and a new question. */
function changedRequirements(): ProfileField[] {
  const { robotics: _dropped, ...roles } = fields.developerRole.values;
  return parseProfileFields({
    ...fields,
    developerRole: { ...fields.developerRole, values: { ...roles, embedded: "Embedded engineer" } },
    preferredEditor: {
      column: "preferred_editor",
      enumType: "preferred_editor",
      question: "Which editor do you use?",
      input: "radio",
      values: { vscode: "VS Code", pycharm: "PyCharm", vim: "Vim" },
    },
  });
}

describe("parseProfileFields", () => {
  test("reads profile-fields.json", () => {
    assert.deepEqual(
      DEFAULT_PROFILE_FIELDS.map((f) => [f.name, f.column, f.input]),
      [
        ["pythonProficiency", "python_proficiency", "radio"],
        ["developerRole", "developer_role", "select"],
      ],
    );
  });
  test("refuses what cannot become a safe schema, naming the question and the field", () => {
    const base = fields.pythonProficiency;
    const cases: [unknown, RegExp][] = [
      [{ q: { ...base, column: 'x"; DROP TABLE "user' } }, /"q\.column"/],
      [{ q: { ...base, column: "user_id" } }, /"q\.column"/],
      [{ q: { ...base, values: {} } }, /"q\.values"/],
      [{ q: { ...base, values: { "Not A Key": "x" } } }, /"q\.values/],
      [{ q: { ...base, input: "checkbox" } }, /"q\.input"/],
      [{ q: { ...base, extra: 1 } }, /"q\./],
      [{ onboardingCompleted: base }, /onboardingCompleted/],
      [{ a: base, b: { ...base, enumType: "other" } }, /"b\.column"/],
      [{ $comment: "only a comment" }, /no question/],
      [[], /object/],
    ];
    for (const [json, message] of cases) assert.throws(() => parseProfileFields(json), message, JSON.stringify(json));
  });
  test("the fingerprint follows columns and values, not wording or order", () => {
    const same = DEFAULT_PROFILE_FIELDS.map((f) => ({ ...f, question: f.question + "?", values: Object.fromEntries(Object.entries(f.values).reverse()) }));
    assert.equal(requirementsFingerprint(same), requirementsFingerprint(DEFAULT_PROFILE_FIELDS));
    assert.equal(requirementsFingerprint([...DEFAULT_PROFILE_FIELDS].reverse()), requirementsFingerprint(DEFAULT_PROFILE_FIELDS));
    assert.notEqual(requirementsFingerprint(changedRequirements()), requirementsFingerprint(DEFAULT_PROFILE_FIELDS));
  });
});

describe("migrating complete profiles to new requirements", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  const NEW = changedRequirements();
  const readers: Record<string, { cookie: string; id: string }> = {};

  const makeAuth = (f: readonly ProfileField[]) =>
    betterAuth({
      baseURL: ORIGIN,
      secret: "a-test-secret-with-enough-entropy-0123456789",
      database: pool,
      emailAndPassword: { enabled: true },
      telemetry: { enabled: false },
      plugins: [onboarding({ pool, fields: f })],
    });

  async function call(auth: ReturnType<typeof makeAuth>, method: string, path: string, cookie: string, body?: unknown) {
    const headers = new Headers({ origin: ORIGIN, cookie });
    if (body !== undefined) headers.set("content-type", "application/json");
    const res = await auth.handler(new Request(ORIGIN + "/api/auth" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, res };
  }
  const stored = async (id: string) =>
    (await pool.query("SELECT python_proficiency::text, developer_role::text, preferred_editor::text, onboarding_completed FROM user_profile WHERE user_id = $1", [id])).rows[0];
  const versions = async () => (await pool.query("SELECT user_id, xmin::text FROM user_profile ORDER BY user_id")).rows;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const auth = makeAuth(DEFAULT_PROFILE_FIELDS);
    await (await getMigrations(auth.options)).runMigrations();
    await migrateProfileSchema(pool);
    for (const [name, answers] of [
      ["robot", { pythonProficiency: "beginner", developerRole: "robotics" }],
      ["student", { pythonProficiency: "advanced", developerRole: "student" }],
    ] as const) {
      const r = await auth.handler(
        new Request(ORIGIN + "/api/auth/sign-up/email", {
          method: "POST",
          headers: { origin: ORIGIN, "content-type": "application/json" },
          body: JSON.stringify({ email: `${name}@example.com`, password: "correct horse battery", name }),
        }),
      );
      const cookie = r.headers.getSetCookie()[0]!.split(";")[0]!;
      readers[name] = { cookie, id: (await r.json()).user.id };
      assert.equal((await call(auth, "POST", "/profile", cookie, answers)).json.complete, true);
    }
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  test("readers whose answers no longer satisfy the questions are incomplete, their answers kept", async () => {
    await migrateProfileSchema(pool, NEW);
    const auth = makeAuth(NEW);
    for (const name of ["robot", "student"]) {
      const s = await call(auth, "GET", "/get-session", readers[name]!.cookie);
      assert.equal(s.json.user.profileComplete, false, name);
      assert.equal(s.json.profile.onboardingCompleted, false, name);
      assert.equal(s.json.profile.preferredEditor, null, name);
    }
    const robot = await call(auth, "GET", "/profile", readers.robot!.cookie);
    assert.equal(robot.json.complete, false);
    assert.equal(robot.json.profile.pythonProficiency, "beginner");
    // The removed value is still the reader's earlier answer; the questions no longer offer it.
    assert.equal(robot.json.profile.developerRole, "robotics");
    assert.deepEqual(robot.json.questions.map((q: { name: string }) => q.name), ["pythonProficiency", "developerRole", "preferredEditor"]);
    assert.ok(!robot.json.questions[1].options.some((o: { value: string }) => o.value === "robotics"));
    assert.deepEqual(await stored(readers.student!.id), {
      python_proficiency: "advanced",
      developer_role: "student",
      preferred_editor: null,
      onboarding_completed: false,
    });
  });

  test("the old answers alone, or a value no longer offered, are refused; answering every question completes", async () => {
    const auth = makeAuth(NEW);
    const { cookie, id } = readers.robot!;
    for (const body of [
      { pythonProficiency: "beginner", developerRole: "student" },
      { pythonProficiency: "beginner", developerRole: "robotics", preferredEditor: "vim" },
    ]) {
      const r = await call(auth, "POST", "/profile", cookie, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.code, "INVALID_PROFILE");
    }
    assert.equal((await stored(id)).onboarding_completed, false);
    const r = await call(auth, "POST", "/profile", cookie, { pythonProficiency: "beginner", developerRole: "embedded", preferredEditor: "vim" });
    assert.equal(r.status, 200);
    assert.equal(r.json.complete, true);
    assert.equal((await call(auth, "GET", "/get-session", cookie)).json.user.profileComplete, true);
  });

  test("the database refuses a completed flag without an answer to the new question", async () => {
    await assert.rejects(
      pool.query("UPDATE user_profile SET onboarding_completed = true WHERE user_id = $1", [readers.student!.id]),
      (e: any) => e.code === "23514",
    );
  });

  test("migrating again to the same requirements rewrites no row", async () => {
    const before = await versions();
    await migrateProfileSchema(pool, NEW);
    assert.deepEqual(await versions(), before);
    const { rows } = await pool.query("SELECT fingerprint FROM user_profile_requirements");
    assert.deepEqual(rows, [{ fingerprint: requirementsFingerprint(NEW) }]);
  });

  test("migrating back restores whoever satisfies the old requirements, and only them", async () => {
    await migrateProfileSchema(pool);
    const auth = makeAuth(DEFAULT_PROFILE_FIELDS);
    assert.equal((await call(auth, "GET", "/get-session", readers.student!.cookie)).json.user.profileComplete, true);
    // This reader's role is now "embedded", which the old requirements never offered.
    assert.equal((await call(auth, "GET", "/get-session", readers.robot!.cookie)).json.user.profileComplete, false);
  });
});
