import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy, type ProxyOptions } from "./proxy";
import { chunked, rawExchange, rawRequest } from "../testing/raw-http";

/** A real front server running the proxy, as the Node server does; the client address is fixed for the test. */
async function front(backendUrl: string, options?: ProxyOptions) {
  const proxy = createProxy(backendUrl, options);
  const server = createServer((req, res) => void proxy(req, res, "10.1.2.3"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    fetch: (path: string, init?: RequestInit) => fetch(url + path, init),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let upstream: Server;
let base: string;

/** Every request the stand-in backend parsed, with the connection it came on. */
interface Seen {
  connection: number;
  method: string;
  url: string;
  body: string;
  /** Set when the request's connection closed before its body was complete. */
  aborted: boolean;
  /** Set when the connection closed before the answer was complete. */
  cut: boolean;
}
const seen: Seen[] = [];
let connections = 0;

before(async () => {
  // A real HTTP server standing in for the Python backend: it echoes what it received and records every request it
  // parsed, so a proxy that let bytes through unframed shows up as an extra request.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const record: Seen = { connection: (req.socket as { id?: number }).id!, method: req.method!, url: req.url!, body: "", aborted: false, cut: false };
    seen.push(record);
    req.on("data", (c) => {
      chunks.push(c);
      record.body = Buffer.concat(chunks).toString();
    });
    req.on("close", () => (record.aborted = !req.complete));
    if (req.url === "/api/early") return void res.writeHead(401, { "content-type": "application/json" }).end("{}");
    if (req.url === "/api/stream") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part;");
      const timer = setTimeout(() => res.end("second part"), 5_000);
      res.on("close", () => {
        clearTimeout(timer);
        record.cut = !res.writableFinished;
      });
      return;
    }
    req.on("end", () => {
      if (req.url === "/api/slow") {
        const timer = setTimeout(() => res.end("late"), 5_000);
        return void res.on("close", () => clearTimeout(timer));
      }
      if (req.url === "/api/own-redirect") return res.writeHead(307, { location: `${base}/api/x?y=1` }).end();
      if (req.url === "/api/own-double-slash") return res.writeHead(307, { location: `${base.toUpperCase()}//evil.example/x` }).end();
      if (req.url === "/api/away") return res.writeHead(302, { location: "https://docs.example/page" }).end();
      if (req.url?.startsWith("/api/vary")) return res.writeHead(200, { vary: new URL(req.url, base).searchParams.get("v")! }).end("{}");
      res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
      res.setHeader("content-type", "application/json");
      res.statusCode = req.url?.startsWith("/api/missing") ? 404 : 200;
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  upstream.on("connection", (socket) => ((socket as { id?: number }).id = ++connections));
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => upstream.close(() => r())));

test("forwards method, path, query, body, cookies and status; adds forwarding headers", async () => {
  const proxy = await front(base);
  const res = await proxy.fetch("/api/progress?x=1&y=%2F", {
    method: "PUT",
    headers: { cookie: "better-auth.session_token=abc%3D", "content-type": "application/json" },
    body: JSON.stringify({ chapter: "intro" }),
  });
  await proxy.close();
  assert.equal(res.status, 200);
  const echo = await res.json();
  assert.equal(echo.method, "PUT");
  assert.equal(echo.url, "/api/progress?x=1&y=%2F");
  assert.equal(echo.body, '{"chapter":"intro"}');
  assert.equal(echo.headers.cookie, "better-auth.session_token=abc%3D");
  assert.equal(echo.headers["x-forwarded-for"], "10.1.2.3");
  assert.match(echo.headers["x-forwarded-host"], /^127\.0\.0\.1:\d+$/);
  assert.equal(echo.headers["x-forwarded-proto"], "http");
  assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
});

test("passes upstream error statuses through unchanged", async () => {
  const proxy = await front(base);
  const res = await proxy.fetch("/api/missing");
  await proxy.close();
  assert.equal(res.status, 404);
});

test("a backend that does not listen is 502 UPSTREAM_UNAVAILABLE", async () => {
  const proxy = await front("http://127.0.0.1:9");
  const res = await proxy.fetch("/api/me");
  await proxy.close();
  assert.equal(res.status, 502);
  assert.equal((await res.json()).code, "UPSTREAM_UNAVAILABLE");
});

test("a backend that does not answer in time is 504 UPSTREAM_TIMEOUT", async () => {
  const proxy = await front(base, { timeoutMs: 200 });
  const res = await proxy.fetch("/api/slow");
  await proxy.close();
  assert.equal(res.status, 504);
  assert.equal((await res.json()).code, "UPSTREAM_TIMEOUT");
});

test("a redirect to the backend's own address becomes relative, so the reader stays on the public origin", async () => {
  const proxy = await front(base);
  try {
    const own = await proxy.fetch("/api/own-redirect", { redirect: "manual" });
    assert.deepEqual([own.status, own.headers.get("location")], [307, "/api/x?y=1"]);
    // Made relative naively, http://backend//evil.example would become the protocol-relative //evil.example.
    const doubled = await proxy.fetch("/api/own-double-slash", { redirect: "manual" });
    assert.equal(doubled.headers.get("location"), "/evil.example/x");
    // Where the backend means to send a reader elsewhere, it is its call.
    const away = await proxy.fetch("/api/away", { redirect: "manual" });
    assert.equal(away.headers.get("location"), "https://docs.example/page");
  } finally {
    await proxy.close();
  }
});

/** Resolves once `check` holds, polling every 10 ms for at most `ms` (then it resolves anyway; the caller asserts). */
async function until(check: () => boolean, ms = 3_000) {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
}

describe("request framing: what the backend parses is what Node parsed", () => {
  const HIDDEN = rawRequest("GET", "/api/hidden", { Host: "backend", "Content-Length": 0 });
  const HALF = "GET /api/hidden HTTP/1.1\r\nHost: backend\r\nX-Swallow: ";
  const METHODS = ["GET", "HEAD", "DELETE", "OPTIONS", "POST", "PUT", "PATCH"];

  for (const method of METHODS) {
    for (const framing of ["chunked", "content-length"] as const) {
      for (const [what, payload] of [["a whole request", HIDDEN], ["half a request", HALF]] as const) {
        test(`${method} with a ${framing} body holding ${what}: one request upstream, its body intact, the next reader unharmed`, async () => {
          const proxy = await front(base);
          try {
            seen.length = 0;
            const headers = framing === "chunked" ? { "Transfer-Encoding": "chunked" } : { "Content-Length": Buffer.byteLength(payload) };
            const body = framing === "chunked" ? chunked(payload) : payload;
            const attack = await rawExchange(proxy.url, rawRequest(method, "/api/echo", { Host: "front", ...headers }, body));
            assert.equal(attack.statuses[0], 200);
            // A reader's request right after, on the connection the proxy most likely reuses.
            const next = await proxy.fetch("/api/next");
            assert.equal(next.status, 200);
            assert.equal((await next.json()).url, "/api/next");
            await until(() => seen.length >= 2);
            assert.deepEqual(
              seen.map((s) => [s.method, s.url]),
              [[method, "/api/echo"], ["GET", "/api/next"]],
            );
            assert.equal(seen[0]!.body, payload);
          } finally {
            await proxy.close();
          }
        });
      }
    }
  }

  test("control: a request with no body sends no body and keeps its connection", async () => {
    const proxy = await front(base);
    try {
      seen.length = 0;
      await (await proxy.fetch("/api/one")).text();
      await (await proxy.fetch("/api/two")).text();
      assert.deepEqual(seen.map((s) => [s.url, s.body]), [["/api/one", ""], ["/api/two", ""]]);
      assert.equal(seen[0]!.connection, seen[1]!.connection, "kept-alive connections are still reused");
      // The client's own connection stays open for its next request too.
      const two = await rawExchange(proxy.url, rawRequest("GET", "/api/a", { Host: "front" }) + rawRequest("GET", "/api/b", { Host: "front" }), { expect: 2 });
      assert.deepEqual([two.statuses, two.closed], [[200, 200], false]);
    } finally {
      await proxy.close();
    }
  });

  test("a client that leaves in the middle of its body: the backend's request is cut, its connection not reused", async () => {
    const proxy = await front(base);
    try {
      seen.length = 0;
      const head = rawRequest("PUT", "/api/echo", { Host: "front", "Content-Length": 1000 }, "x".repeat(10));
      await rawExchange(proxy.url, head, { expect: 0, idleMs: 0, maxMs: 200 });
      await until(() => seen[0]?.aborted === true);
      assert.equal(seen[0]?.aborted, true, "the backend saw the request end");
      await (await proxy.fetch("/api/next")).text();
      assert.equal(seen.at(-1)!.url, "/api/next");
      assert.notEqual(seen.at(-1)!.connection, seen[0]!.connection);
    } finally {
      await proxy.close();
    }
  });

  test("a client that leaves before the answer is read: the backend's connection is closed, not left waiting", async () => {
    const proxy = await front(base);
    try {
      seen.length = 0;
      const partial = await rawExchange(proxy.url, rawRequest("GET", "/api/stream", { Host: "front" }), { idleMs: 50 });
      assert.match(partial.text, /first part;/);
      await until(() => seen[0]?.cut === true);
      assert.equal(seen[0]?.cut, true, "the backend saw its answer's connection close");
    } finally {
      await proxy.close();
    }
  });

  test("a backend that answers before reading the body: the rest of the body never reaches a reused connection", async () => {
    const proxy = await front(base);
    try {
      seen.length = 0;
      const answer = await rawExchange(
        proxy.url,
        [rawRequest("PUT", "/api/early", { Host: "front", "Transfer-Encoding": "chunked" }), chunked(HIDDEN).slice(0, -5), "0\r\n\r\n"],
        { pauseMs: 100 },
      );
      assert.equal(answer.statuses[0], 401);
      await (await proxy.fetch("/api/next")).text();
      await until(() => seen.length >= 2);
      assert.deepEqual(seen.map((s) => s.url), ["/api/early", "/api/next"]);
    } finally {
      await proxy.close();
    }
  });

  test("headers the client names in Connection are not forwarded", async () => {
    const proxy = await front(base);
    try {
      const res = await rawExchange(
        proxy.url,
        rawRequest("GET", "/api/echo", { Host: "front", Connection: "keep-alive, X-Internal", "X-Internal": "1", "X-Kept": "1" }),
      );
      const echo = JSON.parse(res.text.slice(res.text.indexOf("\r\n\r\n") + 4));
      assert.equal(echo.headers["x-internal"], undefined);
      assert.equal(echo.headers["x-kept"], "1");
    } finally {
      await proxy.close();
    }
  });
});

describe("request body limit", () => {
  const LIMIT = 1024;

  test("a declared Content-Length over the limit is 413 PAYLOAD_TOO_LARGE before any byte is read; the backend never hears of it", async () => {
    const proxy = await front(base, { maxBodyBytes: LIMIT });
    try {
      seen.length = 0;
      // Only the headers are sent: the answer must come without waiting for the body.
      const res = await rawExchange(proxy.url, rawRequest("PUT", "/api/echo", { Host: "front", "Content-Length": 200 * 1024 * 1024 }));
      assert.equal(res.statuses[0], 413);
      assert.match(res.text, /"code":"PAYLOAD_TOO_LARGE"/);
      assert.match(res.text, /\r\nconnection: close\r\n/i);
      assert.equal(res.closed, true, "the connection is closed rather than the body read");
      assert.equal(seen.length, 0);
    } finally {
      await proxy.close();
    }
  });

  test("a streamed body is cut at the limit: 413, the backend's request is cut and its connection not reused", async () => {
    const proxy = await front(base, { maxBodyBytes: LIMIT });
    try {
      seen.length = 0;
      const piece = "y".repeat(600);
      const res = await rawExchange(
        proxy.url,
        [rawRequest("PUT", "/api/echo", { Host: "front", "Transfer-Encoding": "chunked" }), `258\r\n${piece}\r\n`, `258\r\n${piece}\r\n`, `258\r\n${piece}\r\n`],
        { pauseMs: 50 },
      );
      assert.equal(res.statuses[0], 413);
      assert.match(res.text, /"code":"PAYLOAD_TOO_LARGE"/);
      await until(() => seen[0]?.aborted === true);
      assert.equal(seen[0]?.aborted, true);
      assert.ok(seen[0]!.body.length <= LIMIT, `the backend got ${seen[0]!.body.length} bytes`);
    } finally {
      await proxy.close();
    }
  });

  test("control: a body at the limit goes through whole, chunked or not", async () => {
    const proxy = await front(base, { maxBodyBytes: LIMIT });
    try {
      const body = "z".repeat(LIMIT);
      for (const headers of [{ "Content-Length": LIMIT }, { "Transfer-Encoding": "chunked" }]) {
        seen.length = 0;
        const framed = "Content-Length" in headers ? body : chunked(body);
        const res = await rawExchange(proxy.url, rawRequest("POST", "/api/echo", { Host: "front", ...headers }, framed));
        assert.equal(res.statuses[0], 200);
        assert.equal(seen[0]!.body, body);
      }
    } finally {
      await proxy.close();
    }
  });
});

test("every proxied answer carries the origin's security headers, and no-store unless the backend says otherwise", async () => {
  const proxy = await front(base, { responseHeaders: { "x-content-type-options": "nosniff", "x-frame-options": "SAMEORIGIN" } });
  try {
    const res = await proxy.fetch("/api/echo");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
    assert.equal(res.headers.get("cache-control"), "no-store");
  } finally {
    await proxy.close();
  }
});

test("a call's own answer headers (CORS for its Origin) replace the defaults; the backend's Vary is merged with ours, not lost", async () => {
  const proxy = createProxy(base, { responseHeaders: { "x-frame-options": "SAMEORIGIN", vary: "Origin" } });
  const cors = { "x-frame-options": "SAMEORIGIN", "access-control-allow-origin": "https://docs.example", vary: "Origin" };
  const server = createServer((req, res) => void proxy(req, res, "10.1.2.3", req.headers.origin ? cors : undefined));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const plain = await fetch(`${url}/api/echo`);
    assert.equal(plain.headers.get("access-control-allow-origin"), null);
    assert.equal(plain.headers.get("vary"), "Origin");
    const crossed = await fetch(`${url}/api/echo`, { headers: { origin: "https://docs.example" } });
    assert.equal(crossed.headers.get("access-control-allow-origin"), "https://docs.example");
    assert.equal(crossed.headers.get("x-frame-options"), "SAMEORIGIN");
    for (const [theirs, merged] of [
      ["Accept-Encoding", "Accept-Encoding, Origin"],
      ["origin, Accept-Encoding", "origin, Accept-Encoding"],
      ["*", "*"],
    ]) {
      const r = await fetch(`${url}/api/vary?v=${encodeURIComponent(theirs!)}`, { headers: { origin: "https://docs.example" } });
      assert.equal(r.headers.get("vary"), merged, theirs);
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
