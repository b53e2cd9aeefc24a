/**
 * Proxies `/api/*` (all but `/api/auth/*`) to the Python backend, so the whole product is one origin.
 * Node streams are piped both ways over kept-alive sockets: the WHATWG fetch/Response path cost several times more
 * CPU per request than the backend itself. Hop-by-hop headers are dropped; the client address is appended to
 * X-Forwarded-For; a Location on the backend's own origin is made relative, so it stays on the public one.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { SERVER_ERRORS, type ServerErrorCode } from "./errors";

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
]);

function copyHeaders(source: http.IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function sendError(outgoing: ServerResponse, code: ServerErrorCode) {
  if (outgoing.headersSent) return void outgoing.destroy();
  const { status, message } = SERVER_ERRORS[code];
  outgoing.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ code, message }));
}

/**
 * A redirect the backend builds from its own address would send the reader off the public origin: it becomes a
 * path on this one. Leading slashes and backslashes are collapsed, or `http://backend//evil.example` would become
 * the protocol-relative `//evil.example`.
 */
function publicLocation(location: string, target: URL): string {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location; // relative already
  }
  if (url.origin !== target.origin) return location;
  return `${url.pathname}${url.search}${url.hash}`.replace(/^[/\\]+/, "/");
}

export function createProxy(backendUrl: string, timeoutMs = 30_000) {
  const target = new URL(backendUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  return function proxy(incoming: IncomingMessage, outgoing: ServerResponse, clientAddress: string | undefined): Promise<void> {
    const headers = copyHeaders(incoming.headers);
    headers["x-forwarded-host"] = incoming.headers.host ?? "";
    headers["x-forwarded-proto"] = (incoming.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
    if (clientAddress) {
      const prior = incoming.headers["x-forwarded-for"];
      headers["x-forwarded-for"] = prior ? `${prior}, ${clientAddress}` : clientAddress;
    }
    return new Promise<void>((resolve) => {
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers, agent, timeout: timeoutMs },
        (response) => {
          const headers = copyHeaders(response.headers);
          if (response.headers.location) headers.location = publicLocation(response.headers.location, target);
          outgoing.writeHead(response.statusCode ?? 502, headers);
          response.pipe(outgoing);
          response.on("end", resolve);
          response.on("error", () => {
            outgoing.destroy();
            resolve();
          });
        },
      );
      upstream.on("timeout", () => upstream.destroy(Object.assign(new Error("timeout"), { code: "UPSTREAM_TIMEOUT" })));
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        sendError(outgoing, error.code === "UPSTREAM_TIMEOUT" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE");
        resolve();
      });
      incoming.pipe(upstream);
    });
  };
}
