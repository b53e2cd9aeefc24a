/**
 * Proxies `/api/*` (all but `/api/auth/*`) to the Python backend, so the whole product is one origin.
 *
 * Framing contract: the backend parses exactly the messages Node parsed, never more. Node's client sends a body on
 * GET, HEAD, DELETE and OPTIONS without any framing unless told how (`useChunkedEncodingByDefault` is false for them),
 * so body bytes would reach the backend as the next request on a kept-alive socket: request smuggling. Every request
 * is therefore sent with the framing it arrived with (`Content-Length`, or chunked), whatever its method, and an
 * upstream socket that may still hold unsent body bytes or an unread answer (a client that left, a body over the
 * limit, an answer that came before the body ended) is destroyed, never returned to the pool.
 *
 * Node streams are piped both ways over kept-alive sockets: the WHATWG fetch/Response path cost several times more
 * CPU per request than the backend itself. Hop-by-hop headers are dropped; the client address is appended to
 * X-Forwarded-For; a Location on the backend's own origin is made relative, so it stays on the public one.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { SERVER_ERRORS, type ServerErrorCode } from "./errors";

export interface ProxyOptions {
  /** Longest the backend may stay silent on a request, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Largest request body forwarded, in bytes; a larger one is answered 413 PAYLOAD_TOO_LARGE. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Headers every proxied answer carries (the origin's security headers); the backend's own win. Default none. */
  responseHeaders?: Readonly<Record<string, string>>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

// Framing (content-length, transfer-encoding) is set by the proxy itself; `expect` is answered by Node's server.
const NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "expect",
]);

/** End-to-end headers only: the fixed hop-by-hop set and whatever the sender's `Connection` header names. */
function forwardable(source: http.IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(source.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && !NOT_FORWARDED.has(name) && !named.has(name)) out[name] = value;
  }
  return out;
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

export function createProxy(backendUrl: string, options: ProxyOptions = {}) {
  const { timeoutMs = 30_000, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, responseHeaders = {} } = options;
  const target = new URL(backendUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  return function proxy(incoming: IncomingMessage, outgoing: ServerResponse, clientAddress: string | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = () => {
        settled = true;
        resolve();
      };
      /** One error answer; the client connection is closed after it when its body may still be unread. */
      const fail = (code: ServerErrorCode) => {
        if (settled) return;
        settle();
        if (outgoing.headersSent || outgoing.destroyed) return void outgoing.destroy();
        const { status, message } = SERVER_ERRORS[code];
        const headers: OutgoingHttpHeaders = { ...responseHeaders, "content-type": "application/json", "cache-control": "no-store" };
        if (!incoming.complete) headers.connection = "close";
        outgoing.writeHead(status, headers).end(JSON.stringify({ code, message }));
      };

      // Node's parser has already refused a request with both Content-Length and Transfer-Encoding, or with a
      // Transfer-Encoding that does not end in chunked: what is left is one of these three framings.
      const declared = incoming.headers["content-length"];
      const isChunked = incoming.headers["transfer-encoding"] !== undefined;
      if (declared !== undefined && Number(declared) > maxBodyBytes) return fail("PAYLOAD_TOO_LARGE");

      const headers = forwardable(incoming.headers);
      if (isChunked) headers["transfer-encoding"] = "chunked";
      else if (declared !== undefined) headers["content-length"] = declared;
      headers["x-forwarded-host"] = incoming.headers.host ?? "";
      headers["x-forwarded-proto"] = (incoming.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
      if (clientAddress) {
        const prior = incoming.headers["x-forwarded-for"];
        headers["x-forwarded-for"] = prior ? `${prior}, ${clientAddress}` : clientAddress;
      }

      const upstream = http.request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers, agent, timeout: timeoutMs },
        (response) => {
          if (settled) return void upstream.destroy();
          const answer = forwardable(response.headers);
          if (response.headers["content-length"] !== undefined) answer["content-length"] = response.headers["content-length"];
          if (response.headers.location) answer.location = publicLocation(response.headers.location, target);
          answer["cache-control"] ??= "no-store";
          // An answer that comes before the whole body: the rest of the body is not forwarded (see below), so the
          // client's connection cannot be read on safely either.
          if (!incoming.complete) answer.connection = "close";
          outgoing.writeHead(response.statusCode ?? 502, { ...responseHeaders, ...answer });
          response.pipe(outgoing);
          response.on("end", () => {
            // The backend answered before the body ended: what it has not read stays on its socket.
            if (!upstream.writableFinished) upstream.destroy();
            settle();
          });
          response.on("error", () => {
            outgoing.destroy();
            settle();
          });
        },
      );
      upstream.on("timeout", () => upstream.destroy(Object.assign(new Error("timeout"), { code: "UPSTREAM_TIMEOUT" })));
      upstream.on("error", (error: NodeJS.ErrnoException) => fail(error.code === "UPSTREAM_TIMEOUT" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE"));
      // A client that leaves before its answer is complete: the answer's rest would stay on the backend's socket.
      outgoing.on("close", () => {
        if (!outgoing.writableFinished) upstream.destroy();
      });

      if (!isChunked && !(Number(declared) > 0)) return void upstream.end();
      let received = 0;
      incoming.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBodyBytes) {
          incoming.removeAllListeners("data");
          incoming.pause();
          upstream.destroy();
          return fail("PAYLOAD_TOO_LARGE");
        }
        if (!upstream.write(chunk)) incoming.pause();
      });
      upstream.on("drain", () => incoming.resume());
      incoming.on("end", () => upstream.end());
      // A client that leaves in the middle of its body: the backend holds half a request on that socket.
      incoming.on("close", () => {
        if (!incoming.complete) {
          upstream.destroy();
          settle();
        }
      });
    });
  };
}
