from fastapi import APIRouter, Request

router = APIRouter()


@router.get("/api/health")
async def health(request: Request) -> dict[str, str]:
    # sessionCache tells an operator whether sessions are served from memory ("on"), or whether change
    # notifications are not arriving ("off": a LISTEN through a pooler, say) and every request costs a query.
    return {"status": "ok", "sessionCache": request.app.state.auth.session_cache_state}
