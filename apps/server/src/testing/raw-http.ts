/**
 * HTTP as bytes on a socket, for attacks on how a server frames messages: an HTTP client library would refuse to
 * send these requests, or would frame them itself.
 */
import net from "node:net";

export interface RawExchange {
  /** Everything the server sent, as text. */
  text: string;
  /** The status code of each response found in `text`, in order. */
  statuses: number[];
  /** True when the server closed the connection (rather than the wait running out). */
  closed: boolean;
}

/**
 * Opens a connection to `url`'s host and port, writes `parts` one after the other (`pauseMs` apart, so a server
 * sees them as separate reads), and collects the answer until the server closes the connection, or until `idleMs`
 * pass with nothing new once `expect` responses have arrived, or until `maxMs` in all.
 */
export function rawExchange(
  url: string,
  parts: string | Buffer | (string | Buffer)[],
  { expect = 1, idleMs = 150, maxMs = 10_000, pauseMs = 0 } = {},
): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const chunks = Array.isArray(parts) ? parts : [parts];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const received: Buffer[] = [];
    let idle: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(idle);
      clearTimeout(overall);
      socket.destroy();
      const text = Buffer.concat(received).toString("latin1");
      resolve({ text, statuses: statusesOf(text), closed });
    };
    const overall = setTimeout(() => finish(false), maxMs);
    socket.on("data", (data) => {
      received.push(data);
      clearTimeout(idle);
      if (statusesOf(Buffer.concat(received).toString("latin1")).length >= expect) idle = setTimeout(() => finish(false), idleMs);
    });
    socket.on("end", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? finish(true) : reject(error)));
    socket.on("connect", async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    });
  });
}

/**
 * The status of each complete or partial response in `text`, read in sequence by its framing (Content-Length, chunked,
 * or none), so that a body containing "HTTP/1.1 200" is not taken for a response.
 */
function statusesOf(text: string): number[] {
  const statuses: number[] = [];
  let at = 0;
  while (at < text.length) {
    const head = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text.slice(at));
    const end = text.indexOf("\r\n\r\n", at);
    if (!head || end === -1) break;
    statuses.push(Number(head[1]));
    const headers = text.slice(at, end).toLowerCase();
    at = end + 4;
    const length = /\r\ncontent-length: *(\d+)/.exec(headers);
    if (length) at += Number(length[1]);
    else if (/\r\ntransfer-encoding: *chunked/.test(headers)) {
      for (;;) {
        const line = text.indexOf("\r\n", at);
        if (line === -1) return statuses;
        const size = parseInt(text.slice(at, line), 16);
        at = line + 2 + size + 2;
        if (size === 0 || Number.isNaN(size)) break;
      }
    } else if (Number(head[1]) >= 200 && ![204, 304].includes(Number(head[1]))) break; // read until close
  }
  return statuses;
}

/** `body` as one chunk of a chunked body, followed by the last chunk. */
export function chunked(body: string): string {
  return `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}

/** A request as bytes: the request line, the headers given (Host first), a blank line and `body` as written. */
export function rawRequest(method: string, target: string, headers: Record<string, string | number | undefined>, body = ""): string {
  const given = Object.entries(headers).filter(([, v]) => v !== undefined);
  const lines = [`${method} ${target} HTTP/1.1`, ...given.map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
