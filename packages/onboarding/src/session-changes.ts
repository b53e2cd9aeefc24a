/**
 * Change notifications for session caches in other processes (the Python package's, the auth server's own): every
 * change to a session, a user or a profile is announced on one channel, at commit, so a cache can forget what
 * changed. Shipped here so that any Better-Auth server running this plugin's migration gets them; the Python package
 * installs the same triggers itself (`python -m better_auth_fastapi install-triggers`) for a Better-Auth database
 * without this plugin, and its tests check both install identical definitions.
 *
 * Contract (names in contract.json's `sessionChanges`, read by packages/fastapi-better-auth and apps/server/src/sessions):
 * on the channel, payload `{"token": "<session token>"}` when a session row is updated or deleted, `{"user": "<user
 * id>"}` when a user row is updated or deleted or a profile row is written or deleted (both owners when a profile
 * changes hands), `{"all": true}` when any of the tables is truncated. Listeners also send themselves `{"probe":
 * "<nonce>"}` on it. A cache trusts itself only while the row trigger and the TRUNCATE trigger are installed and
 * enabled on `session`, `"user"` and (when it exists) `user_profile`. CREATE OR REPLACE TRIGGER needs PostgreSQL 14
 * or newer.
 */
import {
  SESSION_CHANGE_PAYLOAD as KEY,
  SESSION_CHANGE_TABLES,
  SESSION_CHANGE_TRIGGERS,
  SESSION_CHANGES_CHANNEL,
  SESSION_CHANGES_FUNCTION,
} from "./contract.js";
import type { Queryable } from "./types.js";

export { SESSION_CHANGE_TABLES, SESSION_CHANGE_TRIGGERS, SESSION_CHANGES_CHANNEL } from "./contract.js";

const [ROW_TRIGGER, TRUNCATE_TRIGGER] = SESSION_CHANGE_TRIGGERS;
const notify = (payload: string) => `PERFORM pg_notify('${SESSION_CHANGES_CHANNEL}', ${payload}::text);`;

const FUNCTION = `CREATE OR REPLACE FUNCTION ${SESSION_CHANGES_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    ${notify(`json_build_object('${KEY.all}', true)`)}
  ELSIF TG_TABLE_NAME = 'session' THEN
    ${notify(`json_build_object('${KEY.token}', OLD.token)`)}
  ELSIF TG_TABLE_NAME = 'user' THEN
    ${notify(`json_build_object('${KEY.user}', OLD.id)`)}
  ELSE
    IF TG_OP <> 'INSERT' THEN ${notify(`json_build_object('${KEY.user}', OLD.user_id)`)} END IF;
    IF TG_OP <> 'DELETE' THEN ${notify(`json_build_object('${KEY.user}', NEW.user_id)`)} END IF;
  END IF;
  RETURN NULL;
END $$`;

/** The statements that install (or re-install) the function and the triggers on `tables`; idempotent. */
export function sessionChangeStatements(tables: readonly string[] = SESSION_CHANGE_TABLES): string[] {
  return [
    FUNCTION,
    ...tables.flatMap((table) => [
      // A session or user row is only announced once it existed: its insert cannot be in anyone's cache.
      `CREATE OR REPLACE TRIGGER ${ROW_TRIGGER}
  AFTER ${table === "user_profile" ? "INSERT OR " : ""}UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ${SESSION_CHANGES_FUNCTION}()`,
      `CREATE OR REPLACE TRIGGER ${TRUNCATE_TRIGGER} AFTER TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION ${SESSION_CHANGES_FUNCTION}()`,
    ]),
  ];
}

/** All of them as one script, for a migration tool that takes SQL text. */
export const SESSION_CHANGES_SCHEMA = sessionChangeStatements().map((s) => `${s};`).join("\n");

/** Installs the change triggers on `session`, `"user"` and `user_profile`; they must exist (migrate them first). */
export async function installSessionChangeTriggers(pool: Queryable): Promise<void> {
  for (const statement of sessionChangeStatements()) await pool.query(statement);
}
