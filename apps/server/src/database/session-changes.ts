/**
 * Change notifications for session caches in other processes (the Python backend's): every change to a session,
 * a user or a profile is announced on one channel, at commit, so a cache can forget what changed.
 *
 * Contract (read by packages/fastapi-better-auth, cache.py and invalidation.py): channel
 * `better_auth_session_changes`; payload `{"token": "<session token>"}` when a session row is updated or deleted,
 * `{"user": "<user id>"}` when a user row is updated or deleted or a profile row is written or deleted (both owners
 * when a profile changes hands), `{"all": true}` when any of the three tables is truncated. Listeners also send
 * themselves `{"probe": "<nonce>"}` on it. The backend checks the six triggers (a row trigger named like the
 * channel and a statement trigger named `<channel>_truncate` on each table) are installed and enabled before it
 * trusts its cache. CREATE OR REPLACE TRIGGER needs PostgreSQL 14 or newer.
 */
export const SESSION_CHANGES_CHANNEL = "better_auth_session_changes";

const notify = (payload: string) => `PERFORM pg_notify('${SESSION_CHANGES_CHANNEL}', ${payload}::text);`;

export const SESSION_CHANGES_SCHEMA = `
CREATE OR REPLACE FUNCTION better_auth_session_changes() RETURNS trigger LANGUAGE plpgsql AS $$
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
END $$;
${["session", '"user"', "user_profile"]
  .map(
    (table) => `
CREATE OR REPLACE TRIGGER ${SESSION_CHANGES_CHANNEL}
  AFTER ${table === "user_profile" ? "INSERT OR " : ""}UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION better_auth_session_changes();
CREATE OR REPLACE TRIGGER ${SESSION_CHANGES_CHANNEL}_truncate AFTER TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION better_auth_session_changes();`,
  )
  .join("")}
`;
