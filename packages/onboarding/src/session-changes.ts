/**
 * Change notifications for session caches in other processes (the Python package's, the auth server's own): every
 * change to a session, a user or a profile is announced on one channel, at commit, so a cache can forget what
 * changed. Shipped here so that any Better-Auth server running this plugin's migration gets them; the Python package
 * installs the same triggers itself (`python -m better_auth_fastapi install-triggers`) for a Better-Auth database
 * without this plugin, and its tests check both install identical definitions.
 *
 * Contract (read by packages/fastapi-better-auth, cache.py and invalidation.py, and apps/server/src/sessions):
 * channel `better_auth_session_changes`; payload `{"token": "<session token>"}` when a session row is updated or
 * deleted, `{"user": "<user id>"}` when a user row is updated or deleted or a profile row is written or deleted (both
 * owners when a profile changes hands), `{"all": true}` when any of the tables is truncated. Listeners also send
 * themselves `{"probe": "<nonce>"}` on it. A cache trusts itself only while a row trigger named like the channel and
 * a statement trigger named `<channel>_truncate` are installed and enabled on `session`, `"user"` and (when it
 * exists) `user_profile`. CREATE OR REPLACE TRIGGER needs PostgreSQL 14 or newer.
 */
import type { Queryable } from "./types.js";

export const SESSION_CHANGES_CHANNEL = "better_auth_session_changes";

/** The tables whose changes a session cache must hear of; `user_profile` is this plugin's own. */
export const SESSION_CHANGE_TABLES = ["session", '"user"', "user_profile"] as const;

const notify = (payload: string) => `PERFORM pg_notify('${SESSION_CHANGES_CHANNEL}', ${payload}::text);`;

const FUNCTION = `CREATE OR REPLACE FUNCTION better_auth_session_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    ${notify("json_build_object('all', true)")}
  ELSIF TG_TABLE_NAME = 'session' THEN
    ${notify("json_build_object('token', OLD.token)")}
  ELSIF TG_TABLE_NAME = 'user' THEN
    ${notify("json_build_object('user', OLD.id)")}
  ELSE
    IF TG_OP <> 'INSERT' THEN ${notify("json_build_object('user', OLD.user_id)")} END IF;
    IF TG_OP <> 'DELETE' THEN ${notify("json_build_object('user', NEW.user_id)")} END IF;
  END IF;
  RETURN NULL;
END $$`;

/** The statements that install (or re-install) the function and the triggers on `tables`; idempotent. */
export function sessionChangeStatements(tables: readonly string[] = SESSION_CHANGE_TABLES): string[] {
  return [
    FUNCTION,
    ...tables.flatMap((table) => [
      // A session or user row is only announced once it existed: its insert cannot be in anyone's cache.
      `CREATE OR REPLACE TRIGGER ${SESSION_CHANGES_CHANNEL}
  AFTER ${table === "user_profile" ? "INSERT OR " : ""}UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION better_auth_session_changes()`,
      `CREATE OR REPLACE TRIGGER ${SESSION_CHANGES_CHANNEL}_truncate AFTER TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION better_auth_session_changes()`,
    ]),
  ];
}

/** All of them as one script, for a migration tool that takes SQL text. */
export const SESSION_CHANGES_SCHEMA = sessionChangeStatements().map((s) => `${s};`).join("\n");

/** Installs the change triggers on `session`, `"user"` and `user_profile`; they must exist (migrate them first). */
export async function installSessionChangeTriggers(pool: Queryable): Promise<void> {
  for (const statement of sessionChangeStatements()) await pool.query(statement);
}
