/**
 * contract.json is the one home of what both languages share. These tests prove the TypeScript side reads it (the
 * plugins' error tables, the server's, the triggers, the JWT the plugin defines), that the Python package's copy
 * is the same file, and that the Python package reads the same values (one process of each language).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";
import { getMigrations } from "better-auth/db/migration";
import { createTestDatabase } from "../../../scripts/test-postgres.mjs";
import { SERVER_ERRORS } from "../../../apps/server/src/http/errors";
import { ACCOUNT_ERROR_CODES } from "../../../apps/server/src/account/error-codes";
import contract from "./contract.json";
import { ERRORS, SECURE_SESSION_COOKIE, SESSION_CHANGE_TRIGGERS, SESSION_COOKIE, sessionCookieName } from "./contract";
import { jwtPayload, migrateOnboarding, onboarding, ONBOARDING_ERROR_CODES, sessionChangeStatements } from "./index";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SOURCE = path.join(ROOT, "packages/onboarding/src/contract.json");
const PYTHON_COPY = path.join(ROOT, "packages/fastapi-better-auth/src/better_auth_fastapi/contract.json");
const PYTHON = path.join(ROOT, ".venv/bin/python");

/** Every error table of the TypeScript side, as `[layer, code, status or null, message]`. */
function typescriptTables(): [string, string, number | null, string][] {
  return [
    ...Object.entries(SERVER_ERRORS).map(([code, e]) => ["server", code, e.status, e.message] as [string, string, number, string]),
    ...Object.values(ONBOARDING_ERROR_CODES).map((e) => ["onboarding", e.code, null, e.message] as [string, string, null, string]),
    ...Object.values(ACCOUNT_ERROR_CODES).map((e) => ["account", e.code, null, e.message] as [string, string, null, string]),
  ];
}

describe("the contract (contract.json)", () => {
  test("the Python package ships the same bytes as package data", () => {
    assert.ok(readFileSync(PYTHON_COPY).equals(readFileSync(SOURCE)), "run node scripts/build-packages.mjs to copy contract.json");
  });

  test("every error code has a numeric status (HTTP_ERROR's is the framework's) and a message", () => {
    for (const [code, { status, message }] of Object.entries(contract.errors)) {
      assert.match(code, /^[A-Z]+(_[A-Z]+)*$/, code);
      assert.ok(code === "HTTP_ERROR" ? status === null : Number.isInteger(status) && status! >= 400 && status! < 600, code);
      assert.ok(typeof message === "string" && message.length > 0, code);
    }
  });

  test("every TypeScript error table takes its status and message from the contract", () => {
    for (const [layer, code, status, message] of typescriptTables()) {
      const entry = (contract.errors as Record<string, { status: number | null; message: string }>)[code];
      assert.ok(entry, `${layer}: ${code} is not in contract.json`);
      if (status !== null) assert.equal(status, entry.status, `${layer}: ${code}'s status`);
      assert.equal(message, entry.message, `${layer}: ${code}'s message`);
    }
    // The interface's codes keep their statuses (public interface).
    const statuses = Object.fromEntries(Object.entries(ERRORS).map(([c, e]) => [c, e.status]));
    assert.deepEqual(
      { UNAUTHENTICATED: 401, PROFILE_INCOMPLETE: 403, INVALID_ORIGIN: 403, INVALID_PROFILE: 400, AUTH_UNAVAILABLE: 503, UPSTREAM_UNAVAILABLE: 502 },
      Object.fromEntries(["UNAUTHENTICATED", "PROFILE_INCOMPLETE", "INVALID_ORIGIN", "INVALID_PROFILE", "AUTH_UNAVAILABLE", "UPSTREAM_UNAVAILABLE"].map((c) => [c, statuses[c]])),
    );
    assert.equal(ERRORS.PROFILE_INCOMPLETE.message, "Profile Incomplete"); // the interface names this wording
  });

  test("the session cookie and the triggers are named from the contract", () => {
    assert.equal(SESSION_COOKIE, `${contract.cookies.prefix}.${contract.cookies.sessionToken}`);
    assert.equal(SECURE_SESSION_COOKIE, `${contract.cookies.securePrefix}${SESSION_COOKIE}`);
    assert.equal(sessionCookieName("https://docs.example"), SECURE_SESSION_COOKIE);
    assert.equal(sessionCookieName("http://localhost:3000"), SESSION_COOKIE);
    const sql = sessionChangeStatements().join("\n");
    for (const name of [contract.sessionChanges.function, ...SESSION_CHANGE_TRIGGERS]) assert.ok(sql.includes(name), name);
    for (const key of ["token", "user", "all"] as const) assert.ok(sql.includes(`'${contract.sessionChanges.payload[key]}'`), key);
    assert.equal((sql.match(/CREATE OR REPLACE TRIGGER/g) ?? []).length, contract.sessionChanges.tables.length * SESSION_CHANGE_TRIGGERS.length);
  });

  test("Python reads the same values: errors, cookie names, channel, trigger SQL, JWT claims (a Python process)", () => {
    const script = `
import json
from better_auth_fastapi import contract, errors, tokens, cache, triggers, invalidation
print(json.dumps({
  "errors": {c: list(v) for c, v in contract.ERRORS.items()},
  "package_errors": {c: list(v) for c, v in errors.ERRORS.items()},
  "cookies": [tokens.SESSION_COOKIE, tokens.SECURE_SESSION_COOKIE, tokens.session_cookie_name("https://docs.example")],
  "channel": cache.CHANNEL,
  "trigger_names": list(invalidation.TRIGGER_NAMES),
  "statements": triggers.trigger_statements(),
  "jwt": contract.JWT_CLAIMS,
}))`;
    const python = JSON.parse(execFileSync(PYTHON, ["-c", script], { cwd: ROOT, encoding: "utf8", timeout: 30_000 }));
    assert.deepEqual(python.errors, Object.fromEntries(Object.entries(ERRORS).map(([c, e]) => [c, [e.status, e.message]])));
    for (const [code, [status, message]] of Object.entries(python.package_errors as Record<string, [number, string]>)) {
      assert.deepEqual([status, message], [ERRORS[code as keyof typeof ERRORS].status, ERRORS[code as keyof typeof ERRORS].message], code);
    }
    assert.deepEqual(python.cookies, [SESSION_COOKIE, SECURE_SESSION_COOKIE, sessionCookieName("https://docs.example")]);
    assert.equal(python.channel, contract.sessionChanges.channel);
    assert.deepEqual(python.trigger_names, [...SESSION_CHANGE_TRIGGERS]);
    // The same SQL, character for character: either side installs what the other's listener checks for.
    assert.deepEqual(python.statements, sessionChangeStatements());
    assert.deepEqual(python.jwt, contract.jwt.claims);
  });
});

describe("the JWT payload the onboarding plugin defines", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  const ORIGIN = "http://localhost:3000";

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  test("a token from Better-Auth's jwt plugin carries the contract's claims: email, name, sid, profile, profileComplete", async () => {
    const auth = betterAuth({
      baseURL: ORIGIN,
      secret: "a-test-secret-with-enough-entropy-0123456789",
      database: pool,
      emailAndPassword: { enabled: true },
      telemetry: { enabled: false },
      plugins: [onboarding({ pool }), jwt({ disableSettingJwtHeader: true, jwt: { definePayload: jwtPayload({ pool }) } })],
    });
    await (await getMigrations(auth.options)).runMigrations();
    await migrateOnboarding(pool);
    const call = async (path: string, init: { cookie?: string; body?: unknown } = {}) => {
      const headers = new Headers({ origin: ORIGIN });
      if (init.cookie) headers.set("cookie", init.cookie);
      if (init.body) headers.set("content-type", "application/json");
      const method = init.body ? "POST" : "GET";
      return auth.handler(new Request(`${ORIGIN}/api/auth${path}`, { method, headers, body: init.body ? JSON.stringify(init.body) : undefined }));
    };
    const signUp = await call("/sign-up/email", { body: { email: "jwt@example.test", password: "correct horse battery", name: "Jay" } });
    assert.equal(signUp.status, 200);
    const cookie = signUp.headers.getSetCookie()[0]!.split(";")[0]!;
    assert.equal((await call("/profile", { cookie, body: { pythonProficiency: "advanced", developerRole: "devops" } })).status, 200);
    const { token } = (await (await call("/token", { cookie })).json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    const sessionId = (await pool.query(`SELECT id FROM session`)).rows[0].id;
    const names = contract.jwt.claims;
    assert.equal(claims[names.email], "jwt@example.test");
    assert.equal(claims[names.name], "Jay");
    assert.equal(claims[names.sessionId], sessionId);
    assert.equal(claims[names.profileComplete], true);
    assert.equal(claims[names.profile].pythonProficiency, "advanced");
    assert.equal(claims[names.profile][contract.jwt.profileCompleted], true);
  });
});
