from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Db, Reader
from app.progress import store

router = APIRouter()


class ProgressUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    chapter: str = Field(pattern=r"^[a-z0-9][a-z0-9/_-]{0,99}$")
    completed: bool


async def _progress(db: Db, user_id: str) -> dict[str, Any]:
    rows = await store.list_progress(db, user_id)
    return {"chapters": [{"chapter": c, "completedAt": at.isoformat()} for c, at in rows]}


@router.get("/api/progress")
async def get_progress(reader: Reader, db: Db) -> dict[str, Any]:
    return await _progress(db, reader.user.id)


@router.put("/api/progress")
async def put_progress(update: ProgressUpdate, reader: Reader, db: Db) -> dict[str, Any]:
    await store.set_progress(db, reader.user.id, update.chapter, update.completed)
    return await _progress(db, reader.user.id)
