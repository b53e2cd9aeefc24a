"""The change-notification triggers the session cache relies on, for any Better-Auth database.

The onboarding plugin's migration (``@textbook-auth/onboarding``: ``migrateOnboarding``) installs them; a Better-Auth
server without that plugin can install them from here: ``install_change_triggers(database_url)``, or
``python -m better_auth_fastapi install-triggers`` (reads ``DATABASE_URL``). Both install the same function and
triggers, which the tests check by comparing the definitions PostgreSQL reports. The contract (channel, payloads,
trigger names) is stated in the onboarding package's ``session-changes.ts``: a row trigger named like the channel and
a ``TRUNCATE`` trigger named ``<channel>_truncate`` on ``session``, ``"user"`` and, when it exists, ``user_profile``.
"""

from __future__ import annotations

import psycopg

from .contract import CHANGE_TABLES, CHANNEL, FUNCTION_NAME, OPTIONAL_CHANGE_TABLES, PAYLOAD, ROW_TRIGGER, TRUNCATE_TRIGGER
from .errors import SchemaError

# The auth server's migration takes the same transaction-scoped advisory lock, so an install never runs beside it.
MIGRATION_LOCK = 7_340_221


def _notify(payload: str) -> str:
    return f"PERFORM pg_notify('{CHANNEL}', {payload}::text);"


FUNCTION = f"""CREATE OR REPLACE FUNCTION {FUNCTION_NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    {_notify(f"json_build_object('{PAYLOAD['all']}', true)")}
  ELSIF TG_TABLE_NAME = 'session' THEN
    {_notify(f"json_build_object('{PAYLOAD['token']}', OLD.token)")}
  ELSIF TG_TABLE_NAME = 'user' THEN
    {_notify(f"json_build_object('{PAYLOAD['user']}', OLD.id)")}
  ELSE
    IF TG_OP <> 'INSERT' THEN {_notify(f"json_build_object('{PAYLOAD['user']}', OLD.user_id)")} END IF;
    IF TG_OP <> 'DELETE' THEN {_notify(f"json_build_object('{PAYLOAD['user']}', NEW.user_id)")} END IF;
  END IF;
  RETURN NULL;
END $$"""

# The tables a cached session is read from, as SQL names; the optional one (last) is the onboarding plugin's.
TABLES = CHANGE_TABLES
REQUIRED_TABLES = tuple(t for t in TABLES if t not in OPTIONAL_CHANGE_TABLES)

PRESENT = "SELECT to_regclass('session') IS NOT NULL, to_regclass('\"user\"') IS NOT NULL, to_regclass('user_profile') IS NOT NULL"


def trigger_statements(tables: tuple[str, ...] = TABLES) -> list[str]:
    """The function and both triggers of each table; idempotent (``CREATE OR REPLACE``, PostgreSQL 14 or newer)."""
    statements = [FUNCTION]
    for table in tables:
        # A new session or user row cannot be in any cache yet; a new profile changes a cached session's profile.
        events = "INSERT OR UPDATE OR DELETE" if table == "user_profile" else "UPDATE OR DELETE"
        statements.append(
            f"CREATE OR REPLACE TRIGGER {ROW_TRIGGER}\n  AFTER {events} ON {table}\n"
            f"  FOR EACH ROW EXECUTE FUNCTION {FUNCTION_NAME}()"
        )
        statements.append(
            f"CREATE OR REPLACE TRIGGER {TRUNCATE_TRIGGER} AFTER TRUNCATE ON {table}\n"
            f"  FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION_NAME}()"
        )
    return statements


def install_change_triggers(database_url: str) -> list[str]:
    """Installs (or re-installs) the triggers on ``session``, ``"user"`` and, if it exists, ``user_profile``, in one
    transaction; returns the tables covered. Raises :class:`SchemaError` when Better-Auth's tables are missing (run
    its migration first) or PostgreSQL is older than 14. Run it again after adding the onboarding plugin's table."""
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        if conn.info.server_version < 140000:
            raise SchemaError("the change triggers need PostgreSQL 14 or newer (CREATE OR REPLACE TRIGGER)")
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        row = conn.execute(PRESENT).fetchone()
        assert row is not None
        has_session, has_user, has_profile = row
        if not (has_session and has_user):
            raise SchemaError(
                'this database has no Better-Auth tables (session, "user"): run Better-Auth\'s migration first'
            )
        tables = TABLES if has_profile else REQUIRED_TABLES
        for statement in trigger_statements(tables):
            conn.execute(statement)
    return list(tables)
