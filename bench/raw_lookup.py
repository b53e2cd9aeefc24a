"""The floor for database-mode validation: the session lookup query alone, through a psycopg pool, as fast as
`concurrency` tasks can run it for `seconds`. Prints one JSON line: queries/s, p50 and p99 in milliseconds."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from better_auth_fastapi.store import LOOKUP
from psycopg_pool import AsyncConnectionPool


async def main(url: str, token: str, seconds: float, concurrency: int) -> None:
    async with AsyncConnectionPool(url, min_size=concurrency, max_size=concurrency, kwargs={"prepare_threshold": 0, "autocommit": True}) as pool:
        latencies: list[float] = []
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            async with pool.connection() as conn:
                while time.monotonic() < deadline:
                    start = time.perf_counter()
                    cur = await conn.execute(LOOKUP, (token,))
                    assert await cur.fetchone() is not None
                    latencies.append((time.perf_counter() - start) * 1000)

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - began
    latencies.sort()
    print(json.dumps({"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2], "p99": latencies[int(len(latencies) * 0.99)]}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])))
