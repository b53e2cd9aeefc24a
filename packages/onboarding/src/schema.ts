/**
 * The `user_profile` table, its enum types, and the completeness of the stored profiles.
 *
 * Contract: one row per user (`user_id` is the primary key and a foreign key to "user"(id) with ON DELETE CASCADE);
 * one column per question, of a PostgreSQL enum type holding the question's values; `onboarding_completed` is
 * written by the server only. Every statement is idempotent, so the migration runs on every start: new questions
 * add their type and column, new values are appended with ADD VALUE IF NOT EXISTS, and a value no longer offered
 * stays in its type (PostgreSQL cannot drop one). Whenever the requirements differ from those the stored flags were
 * computed for (`user_profile_requirements` keeps their fingerprint), every row's `onboarding_completed` is
 * recomputed against the current ones and the CHECK constraint is rebuilt, in one statement: readers whose answers
 * no longer satisfy the questions are incomplete again, with their answers kept.
 */
import { DEFAULT_PROFILE_FIELDS, type ProfileField } from "./profile-fields.js";
import { completenessPredicate, ident, literal, requirementsFingerprint } from "./requirements.js";
import { installSessionChangeTriggers } from "./session-changes.js";
import type { Queryable } from "./types.js";

const CONSTRAINT = "user_profile_completed_needs_answers";

export function profileSchemaStatements(fields: readonly ProfileField[] = DEFAULT_PROFILE_FIELDS): string[] {
  const statements: string[] = [];
  for (const { enumType, values } of fields) {
    // CREATE TYPE has no IF NOT EXISTS; the DO block makes it idempotent.
    statements.push(
      `DO $$ BEGIN CREATE TYPE ${ident(enumType)} AS ENUM (${Object.keys(values).map(literal).join(", ")}); ` +
        `EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    // Each ADD VALUE commits on its own: a value can be used (below) only once its addition has committed.
    for (const value of Object.keys(values)) statements.push(`ALTER TYPE ${ident(enumType)} ADD VALUE IF NOT EXISTS ${literal(value)}`);
  }
  statements.push(`CREATE TABLE IF NOT EXISTS user_profile (
    user_id text PRIMARY KEY REFERENCES "user"(id) ON DELETE CASCADE,
    onboarding_completed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  for (const { column, enumType } of fields) {
    statements.push(`ALTER TABLE user_profile ADD COLUMN IF NOT EXISTS ${ident(column)} ${ident(enumType)}`);
  }
  statements.push(`CREATE TABLE IF NOT EXISTS user_profile_requirements (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    fingerprint text NOT NULL,
    questions jsonb NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const fingerprint = requirementsFingerprint(fields);
  const predicate = completenessPredicate(fields);
  const questions = JSON.stringify(fields.map((f) => ({ column: f.column, values: Object.keys(f.values) })));
  // One statement, so one transaction: no reader is ever seen complete against requirements half applied. The
  // UPDATE fires the change triggers (session-changes.ts), so session caches forget every reader it changed.
  statements.push(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM user_profile_requirements WHERE fingerprint = ${literal(fingerprint)}) THEN
      ALTER TABLE user_profile DROP CONSTRAINT IF EXISTS ${ident(CONSTRAINT)};
      UPDATE user_profile SET onboarding_completed = (${predicate})
        WHERE onboarding_completed IS DISTINCT FROM (${predicate});
      ALTER TABLE user_profile ADD CONSTRAINT ${ident(CONSTRAINT)} CHECK (NOT onboarding_completed OR (${predicate}));
      INSERT INTO user_profile_requirements (id, fingerprint, questions) VALUES (true, ${literal(fingerprint)}, ${literal(questions)}::jsonb)
        ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, questions = EXCLUDED.questions, applied_at = now();
    END IF;
  END $$`);
  return statements;
}

/** Creates or updates the profile schema for these questions. Needs Better-Auth's "user" table to exist first. */
export async function migrateProfileSchema(pool: Queryable, fields: readonly ProfileField[] = DEFAULT_PROFILE_FIELDS): Promise<void> {
  for (const statement of profileSchemaStatements(fields)) await pool.query(statement);
}

/**
 * The plugin's migration, idempotent: the profile schema for these questions (the plugin's `fields`, if you gave it
 * any), then the change triggers that let session caches (the Python package's, the auth server's) hear of every
 * sign-out and profile change. Run it after Better-Auth's own migration, on every start if you like; serialise
 * concurrent runs yourself (an advisory lock) if several instances start at once.
 */
export async function migrateOnboarding(pool: Queryable, fields: readonly ProfileField[] = DEFAULT_PROFILE_FIELDS): Promise<void> {
  await migrateProfileSchema(pool, fields);
  await installSessionChangeTriggers(pool);
}
