/**
 * Migrations as code, idempotent, safe to run from several processes at once: Better-Auth's own tables first
 * (its `getMigrations`), then the onboarding plugin's (the profile schema and the change notifications that keep
 * session caches honest), then the sign-in throttle. An advisory lock serialises concurrent runs.
 *
 * The lock is transaction-scoped, held by a transaction kept open on a connection of its own: a transaction pins one
 * server connection even through a transaction pooler (Neon's pooled URL, PgBouncer), whereas a session-level lock
 * would be taken on one pooled server connection and its unlock sent on another, leaving it held for good and every
 * later migration waiting on it.
 */
import { getMigrations } from "better-auth/db/migration";
import { migrateOnboarding, type ProfileField } from "@textbook-auth/onboarding";
import type pg from "pg";
import { THROTTLE_SCHEMA } from "../auth/sign-in-throttle";
import type { BetterAuthOptions } from "better-auth";

const MIGRATION_LOCK = 7_340_221;

export async function migrate(pool: pg.Pool, authOptions: BetterAuthOptions): Promise<void> {
  await withMigrationLock(pool, async () => {
    const { runMigrations } = await getMigrations(authOptions);
    await runMigrations();
    // The profile schema for the plugin's questions, and the change notifications (see @textbook-auth/onboarding's
    // session-changes.ts).
    await migrateOnboarding(pool, profileFieldsOf(authOptions));
    await pool.query(THROTTLE_SCHEMA);
  });
}

/** Runs `work` while no other process runs it: the lock is held by a transaction left open on its own connection. */
export async function withMigrationLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  const lock = await pool.connect();
  try {
    await lock.query("BEGIN");
    await lock.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    const result = await work();
    await lock.query("COMMIT");
    return result;
  } catch (error) {
    await lock.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    lock.release();
  }
}

/** The questions the onboarding plugin validates: the schema and the stored completeness must be built for them. */
function profileFieldsOf(authOptions: BetterAuthOptions): readonly ProfileField[] | undefined {
  const plugin = authOptions.plugins?.find((p) => p.id === "onboarding") as { options?: { fields?: readonly ProfileField[] } } | undefined;
  return plugin?.options?.fields;
}
