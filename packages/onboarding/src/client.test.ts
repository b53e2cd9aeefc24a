/** The client half against the real server half: typed actions, error codes, and the session payload. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { betterAuth } from "better-auth";
import { createAuthClient } from "better-auth/client";
import { getMigrations } from "better-auth/db/migration";
import { createTestDatabase } from "../../../scripts/test-postgres.mjs";
import { migrateProfileSchema, onboarding } from "./index";
import { ONBOARDING_ERROR_CODES, onboardingClient } from "./client";

const ORIGIN = "http://localhost:3000";
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let auth: any;

before(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  auth = betterAuth({
    baseURL: ORIGIN,
    secret: "a-test-secret-with-enough-entropy-0123456789",
    database: pool,
    emailAndPassword: { enabled: true },
    telemetry: { enabled: false },
    plugins: [onboarding({ pool })],
  });
  await (await getMigrations(auth.options)).runMigrations();
  await migrateProfileSchema(pool);
});
after(async () => {
  await pool.end();
  await db.drop();
});

/** A client whose fetch goes straight into the server's handler, keeping the session cookie like a browser. */
function makeClient() {
  let cookie = "";
  return createAuthClient({
    baseURL: ORIGIN,
    plugins: [onboardingClient()],
    fetchOptions: {
      customFetchImpl: async (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set("origin", ORIGIN);
        if (cookie) headers.set("cookie", cookie);
        const res: Response = await auth.handler(new Request(input, { ...init, headers }));
        const set = res.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="));
        if (set) cookie = set.split(";")[0]!;
        return res;
      },
    },
  });
}

test("profile.get, profile.update and getSession, typed from the server plugin", async () => {
  const client = makeClient();
  await client.signUp.email({ email: "client@example.com", password: "correct horse battery", name: "C" });

  const before = await client.profile.get();
  assert.deepEqual({ ...before.data, questions: undefined }, { profile: null, complete: false, questions: undefined });
  assert.deepEqual(before.data?.questions.map((q) => q.name), ["pythonProficiency", "developerRole"]);

  const updated = await client.profile.update({ pythonProficiency: "beginner", developerRole: "frontend" });
  assert.equal(updated.data?.complete, true);

  const session = await client.getSession();
  // These property accesses type-check only if the session type carries the plugin's fields.
  const complete: boolean | undefined = session.data?.user.profileComplete;
  const role: string | null | undefined = session.data?.profile?.developerRole;
  assert.equal(complete, true);
  assert.equal(role, "frontend");
});

test("the client sees INVALID_PROFILE as a code", async () => {
  const client = makeClient();
  await client.signUp.email({ email: "client-bad@example.com", password: "correct horse battery", name: "C" });
  const r = await client.profile.update({ pythonProficiency: "guru", developerRole: "frontend" });
  assert.equal(r.error?.status, 400);
  assert.equal(r.error?.code, ONBOARDING_ERROR_CODES.INVALID_PROFILE.code);
});
