/**
 * Change notifications for session caches in other processes (the Python backend's): every change to a session,
 * a user or a profile is announced on one channel, at commit, so a cache can forget what changed.
 *
 * Contract (read by packages/fastapi-better-auth, cache.py and invalidation.py): channel
 * `better_auth_session_changes`; payload `{"token": "<session token>"}` when a session row is updated or deleted,
 * `{"user": "<user id>"}` when a user row is updated or deleted or a profile row is written or deleted. The triggers
 * are all named like the channel, which is how the backend checks they are installed before trusting its cache.
 */
export const SESSION_CHANGES_CHANNEL = "better_auth_session_changes";

export const SESSION_CHANGES_SCHEMA = `
CREATE OR REPLACE FUNCTION better_auth_session_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'session' THEN
    PERFORM pg_notify('${SESSION_CHANGES_CHANNEL}', json_build_object('token', OLD.token)::text);
  ELSIF TG_TABLE_NAME = 'user' THEN
    PERFORM pg_notify('${SESSION_CHANGES_CHANNEL}', json_build_object('user', OLD.id)::text);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('${SESSION_CHANGES_CHANNEL}', json_build_object('user', OLD.user_id)::text);
  ELSE
    PERFORM pg_notify('${SESSION_CHANGES_CHANNEL}', json_build_object('user', NEW.user_id)::text);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER ${SESSION_CHANGES_CHANNEL} AFTER UPDATE OR DELETE ON session
  FOR EACH ROW EXECUTE FUNCTION better_auth_session_changes();
CREATE OR REPLACE TRIGGER ${SESSION_CHANGES_CHANNEL} AFTER UPDATE OR DELETE ON "user"
  FOR EACH ROW EXECUTE FUNCTION better_auth_session_changes();
CREATE OR REPLACE TRIGGER ${SESSION_CHANGES_CHANNEL} AFTER INSERT OR UPDATE OR DELETE ON user_profile
  FOR EACH ROW EXECUTE FUNCTION better_auth_session_changes();
`;
