from typing import Any

from fastapi import APIRouter

from app.api.deps import Reader

router = APIRouter()


@router.get("/api/me")
async def me(reader: Reader) -> dict[str, Any]:
    user = reader.user
    return {
        "user": {"id": user.id, "email": user.email, "name": user.name},
        "profile": reader.profile.to_json() if reader.profile else None,
    }
