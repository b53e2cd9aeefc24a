/**
 * The `user_profile` table and its enum types.
 *
 * Contract: one row per user (`user_id` is the primary key and a foreign key to "user"(id) with ON DELETE CASCADE);
 * `python_proficiency` and `developer_role` are PostgreSQL enums whose values come from profile-fields.json;
 * `onboarding_completed` is written by the server only. Every statement is idempotent, so the migration runs on
 * every start; new enum values are appended with ADD VALUE IF NOT EXISTS.
 */
import { PROFILE_ENUMS } from "./profile-fields.js";
import { installSessionChangeTriggers } from "./session-changes.js";
import type { Queryable } from "./types.js";

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

export function profileSchemaStatements(): string[] {
  const statements: string[] = [];
  for (const { type, values } of PROFILE_ENUMS) {
    // CREATE TYPE has no IF NOT EXISTS; the DO block makes it idempotent.
    statements.push(
      `DO $$ BEGIN CREATE TYPE ${ident(type)} AS ENUM (${values.map(literal).join(", ")}); ` +
        `EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    for (const value of values) statements.push(`ALTER TYPE ${ident(type)} ADD VALUE IF NOT EXISTS ${literal(value)}`);
  }
  statements.push(`CREATE TABLE IF NOT EXISTS user_profile (
    user_id text PRIMARY KEY REFERENCES "user"(id) ON DELETE CASCADE,
    python_proficiency python_proficiency,
    developer_role developer_role,
    onboarding_completed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- The flag can only be true when both answers exist, whatever writes the row.
    CONSTRAINT user_profile_completed_needs_answers
      CHECK (NOT onboarding_completed OR (python_proficiency IS NOT NULL AND developer_role IS NOT NULL))
  )`);
  return statements;
}

/** Creates or updates the profile schema. Needs Better-Auth's "user" table to exist first. */
export async function migrateProfileSchema(pool: Queryable): Promise<void> {
  for (const statement of profileSchemaStatements()) await pool.query(statement);
}

/**
 * The plugin's migration, idempotent: the profile schema, then the change triggers that let session caches (the
 * Python package's, the auth server's) hear of every sign-out and profile change. Run it after Better-Auth's own
 * migration, on every start if you like; serialise concurrent runs yourself (an advisory lock) if several
 * instances start at once.
 */
export async function migrateOnboarding(pool: Queryable): Promise<void> {
  await migrateProfileSchema(pool);
  await installSessionChangeTriggers(pool);
}
