/** `/healthz`: 200 when the database and the Python backend answer; 503 naming the part that does not. */
import type pg from "pg";

type PartState = "ok" | "unreachable";

/**
 * `sessionCache` says whether this process answers sessions from memory ("on"), or whether change notifications are
 * not arriving ("off": a LISTEN through a pooler, say) and every check costs a query; it never makes the check fail.
 */
export async function checkHealth(pool: pg.Pool, backendUrl: string, sessionCache: "on" | "off" | "disabled") {
  const [database, backend] = await Promise.all([
    pool.query("SELECT 1").then((): PartState => "ok", (): PartState => "unreachable"),
    fetch(`${backendUrl}/api/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r): PartState => (r.ok ? "ok" : "unreachable"),
      (): PartState => "unreachable",
    ),
  ]);
  const down = Object.entries({ database, backend }).filter(([, s]) => s !== "ok").map(([name]) => name);
  if (down.length === 0) return { status: 200 as const, body: { status: "ok", database, backend, sessionCache } };
  return {
    status: 503 as const,
    body: { code: "UNHEALTHY", message: `Unreachable: ${down.join(", ")}`, database, backend, sessionCache },
  };
}
