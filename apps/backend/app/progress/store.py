"""Reading progress: which chapters a reader has finished. The backend owns this table and migrates it itself."""

from __future__ import annotations

from datetime import datetime

from psycopg import AsyncConnection

SCHEMA = """
CREATE TABLE IF NOT EXISTS reading_progress (
    user_id text NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
    chapter text NOT NULL CHECK (chapter ~ '^[a-z0-9][a-z0-9/_-]{0,99}$'),
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, chapter)
)
"""


# Any constant unique to this migration; two backends starting at once on a fresh database would otherwise race
# on CREATE TABLE IF NOT EXISTS (it is not atomic against a concurrent create).
_MIGRATION_LOCK = 0x7E57B00C


async def migrate(conn: AsyncConnection) -> None:
    """Idempotent: safe on every start and from several processes at once."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        await conn.execute(SCHEMA)


async def list_progress(conn: AsyncConnection, user_id: str) -> list[tuple[str, datetime]]:
    cur = await conn.execute(
        "SELECT chapter, completed_at FROM reading_progress WHERE user_id = %s ORDER BY completed_at, chapter", (user_id,)
    )
    return list(await cur.fetchall())


async def set_progress(conn: AsyncConnection, user_id: str, chapter: str, completed: bool) -> None:
    if completed:
        await conn.execute(
            "INSERT INTO reading_progress (user_id, chapter) VALUES (%s, %s) ON CONFLICT (user_id, chapter) DO NOTHING",
            (user_id, chapter),
        )
    else:
        await conn.execute("DELETE FROM reading_progress WHERE user_id = %s AND chapter = %s", (user_id, chapter))
