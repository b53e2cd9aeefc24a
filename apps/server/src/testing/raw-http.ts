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

function statusesOf(text: string): number[] {
  return [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
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
