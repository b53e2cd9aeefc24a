from typing import Any

from fastapi import APIRouter

from app.api.deps import Db, Reader, SignedIn
from app.progress import store as progress_store

router = APIRouter()


@router.get("/api/me")
async def me(reader: Reader) -> dict[str, Any]:
    user = reader.user
    return {
        "user": {"id": user.id, "email": user.email, "name": user.name},
        "profile": reader.profile.to_json() if reader.profile else None,
    }


@router.get("/api/me/export")
async def export(reader: SignedIn, db: Db) -> dict[str, Any]:
    """Everything this backend keeps about the reader, for the auth server's account export
    (GET /api/auth/account/export puts it under ``backend``). Open to any signed-in reader, complete profile or
    not: a reader may always take their own data. A backend with tables of its own adds them here."""
    rows = await progress_store.list_progress(db, reader.user.id)
    return {"readingProgress": [{"chapter": c, "completedAt": at.isoformat()} for c, at in rows]}
