/**
 * Proxies `/api/*` (all but `/api/auth/*`) to the Python backend, so the whole product is one origin.
 *
 * Framing contract: the backend parses exactly the messages Node parsed, never more. Node's own `http.request` sends
 * a body on GET, HEAD, DELETE and OPTIONS with no framing at all (`useChunkedEncodingByDefault` is false for them),
 * so the body's bytes reach the backend as the next request on a kept-alive socket: request smuggling. So every
 * request is sent with the framing it arrived with (`Content-Length`, or chunked), whatever its method, and an
 * upstream socket that may still hold unsent body bytes or an unread answer (a client that left, a body over the
 * limit, an answer that came before the body ended) is destroyed, never returned to the pool.
 *
 * The upstream side is undici's Pool: it costs about 40% less CPU per request than `http.request` (measured), and the
 * WHATWG fetch/Response path several times more. Hop-by-hop headers are dropped; the client address is appended to
 * X-Forwarded-For; a Location on the backend's own origin is made relative, so it stays on the public one.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Transform } from "node:stream";
import { Pool, type Dispatcher } from "undici";
import { SERVER_ERRORS, type ServerErrorCode } from "./errors";

export interface ProxyOptions {
  /** Longest the backend may stay silent on a request, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Largest request body forwarded, in bytes; a larger one is answered 413 PAYLOAD_TOO_LARGE. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Headers every proxied answer carries (the origin's security headers); the backend's own win, except `Vary`, which
   * is merged. A call may pass others (CORS headers for its Origin). Default none.
   */
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
type Headers = Record<string, string | string[]>;

function forwardable(source: Readonly<Record<string, string | string[] | undefined>>): Headers {
  const named = new Set(
    String(source.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Headers = {};
  for (const [name, value] of Object.entries(source) as [string, string | string[] | undefined][]) {
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

/** The backend's Vary and ours (`Origin`, for CORS), each field once. */
function mergeVary(theirs: string | string[], ours: string): string {
  const fields = [theirs, ours].flat().flatMap((v) => v.split(",")).map((f) => f.trim()).filter(Boolean);
  if (fields.includes("*")) return "*";
  const kept = new Map<string, string>();
  for (const field of fields) if (!kept.has(field.toLowerCase())) kept.set(field.toLowerCase(), field);
  return [...kept.values()].join(", ");
}

class BodyTooLarge extends Error {}

/** Passes a body through, failing once more than `limit` bytes went by. */
function bodyLimit(limit: number) {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > limit ? new BodyTooLarge() : null, chunk);
    },
  });
}

const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

export function createProxy(backendUrl: string, options: ProxyOptions = {}) {
  const { timeoutMs = 30_000, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, responseHeaders: defaultHeaders = {} } = options;
  const target = new URL(backendUrl);
  // undici frames every body it sends (a stream of unknown length is chunked, whatever the method), and destroys a
  // socket whose answer completed while its request was still being written, or that carried a body on a method
  // that expects none: the two ways a kept-alive upstream socket could be left holding bytes.
  const pool = new Pool(target.origin, { connections: 256, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  return function proxy(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    clientAddress: string | undefined,
    responseHeaders: Readonly<Record<string, string>> = defaultHeaders,
  ): Promise<void> {
    /** One error answer; the client connection is closed after it when its body may still be unread. */
    const fail = (code: ServerErrorCode) => {
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
    if (declared !== undefined && Number(declared) > maxBodyBytes) return Promise.resolve(fail("PAYLOAD_TOO_LARGE"));

    const headers = forwardable(incoming.headers);
    if (declared !== undefined) headers["content-length"] = declared;
    headers["x-forwarded-host"] = incoming.headers.host ?? "";
    headers["x-forwarded-proto"] = (incoming.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
    if (clientAddress) {
      const prior = incoming.headers["x-forwarded-for"];
      headers["x-forwarded-for"] = prior ? `${prior}, ${clientAddress}` : clientAddress;
    }

    // The body goes through a counter, never as `incoming` itself: undici destroys a failed request's body, and
    // destroying `incoming` would close the client's connection before it hears why.
    let body: Transform | null = null;
    if (isChunked || Number(declared) > 0) {
      body = bodyLimit(maxBodyBytes);
      incoming.pipe(body);
      // A client that leaves in the middle of its body: the request upstream is aborted, its socket destroyed.
      incoming.on("close", () => {
        if (!incoming.complete) body!.destroy(new Error("client left"));
      });
    }

    return new Promise<void>((resolve) => {
      let controller: Dispatcher.DispatchController | undefined;
      let clientLeft = false;
      // A client that leaves before its answer is complete: the rest of the answer would stay on the backend's
      // socket, so the request is aborted and undici destroys that socket.
      outgoing.on("close", () => {
        if (outgoing.writableFinished) return;
        clientLeft = true;
        controller?.abort(new Error("client left"));
      });
      pool.dispatch(
        { path: incoming.url!, method: incoming.method as Dispatcher.HttpMethod, headers, body },
        {
          onRequestStart(started) {
            controller = started;
            if (clientLeft) started.abort(new Error("client left"));
          },
          onResponseStart(started, statusCode, upstreamHeaders) {
            if (statusCode < 200) return; // 1xx: Node's server answers Expect itself
            const answer = forwardable(upstreamHeaders);
            const length = upstreamHeaders["content-length"];
            if (length !== undefined) answer["content-length"] = length;
            const location = upstreamHeaders.location;
            if (typeof location === "string") answer.location = publicLocation(location, target);
            answer["cache-control"] ??= "no-store";
            // An answer before the whole body: undici stops sending it, so the client's connection cannot be read on.
            if (!incoming.complete) answer.connection = "close";
            const headers = { ...responseHeaders, ...answer };
            if (answer.vary !== undefined && responseHeaders.vary !== undefined) headers.vary = mergeVary(answer.vary, responseHeaders.vary);
            outgoing.writeHead(statusCode, headers);
            outgoing.on("drain", () => started.resume());
          },
          onResponseData(started, chunk) {
            if (!outgoing.write(chunk)) started.pause();
          },
          onResponseEnd() {
            outgoing.end();
            resolve();
          },
          onResponseError(_started, error: Error & { code?: string }) {
            if (body) incoming.unpipe(body);
            if (error instanceof BodyTooLarge) fail("PAYLOAD_TOO_LARGE");
            else fail(TIMEOUTS.has(error.code ?? "") ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE");
            resolve();
          },
        },
      );
    });
  };
}
