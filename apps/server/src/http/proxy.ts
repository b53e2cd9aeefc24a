/**
 * Proxies `/api/*` (all but `/api/auth/*`) to the Python backend, so the whole product is one origin.
 * The body is streamed both ways; hop-by-hop headers are dropped; the client address goes in X-Forwarded-For.
 */
import { errorResponse } from "./errors";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

export function createProxy(backendUrl: string, timeoutMs = 30_000) {
  return async function proxy(request: Request, clientAddress: string | undefined): Promise<Response> {
    const incoming = new URL(request.url);
    const target = backendUrl + incoming.pathname + incoming.search;
    const headers = new Headers();
    for (const [name, value] of request.headers) if (!HOP_BY_HOP.has(name)) headers.set(name, value);
    headers.set("x-forwarded-host", incoming.host);
    headers.set("x-forwarded-proto", incoming.protocol.replace(":", ""));
    if (clientAddress) {
      const prior = request.headers.get("x-forwarded-for");
      headers.set("x-forwarded-for", prior ? `${prior}, ${clientAddress}` : clientAddress);
    }
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method: request.method,
        headers,
        body: hasBody ? request.body : undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        // @ts-expect-error Node's fetch needs duplex for a streamed request body.
        duplex: "half",
      });
    } catch (error) {
      if ((error as Error).name === "TimeoutError") return errorResponse("UPSTREAM_TIMEOUT");
      return errorResponse("UPSTREAM_UNAVAILABLE");
    }
    const responseHeaders = new Headers();
    for (const [name, value] of upstream.headers) {
      if (!HOP_BY_HOP.has(name) && name !== "content-encoding") responseHeaders.append(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
  };
}
