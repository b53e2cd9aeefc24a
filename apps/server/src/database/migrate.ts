/**
 * Migrations as code, idempotent, safe to run from several processes at once: Better-Auth's own tables first
 * (its `getMigrations`), then the profile schema, the sign-in throttle and the change notifications that
 * keep other processes' session caches honest. An advisory lock serialises concurrent runs.
 */
import { getMigrations } from "better-auth/db/migration";
import { migrateProfileSchema, type ProfileField } from "@textbook-auth/onboarding";
import type pg from "pg";
import { THROTTLE_SCHEMA } from "../auth/sign-in-throttle";
import type { BetterAuthOptions } from "better-auth";
import { SESSION_CHANGES_SCHEMA } from "./session-changes";

const MIGRATION_LOCK = 7_340_221;

export async function migrate(pool: pg.Pool, authOptions: BetterAuthOptions): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    const { runMigrations } = await getMigrations(authOptions);
    await runMigrations();
    await migrateProfileSchema(client as any, profileFieldsOf(authOptions));
    await client.query(THROTTLE_SCHEMA);
    await client.query(SESSION_CHANGES_SCHEMA);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/** The questions the onboarding plugin validates: the schema and the stored completeness must be built for them. */
function profileFieldsOf(authOptions: BetterAuthOptions): readonly ProfileField[] | undefined {
  const plugin = authOptions.plugins?.find((p) => p.id === "onboarding") as { options?: { fields?: readonly ProfileField[] } } | undefined;
  return plugin?.options?.fields;
}
