import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy } from "./proxy";

/** A real front server running the proxy, as the Node server does; the client address is fixed for the test. */
async function front(backendUrl: string, timeoutMs?: number) {
  const proxy = createProxy(backendUrl, timeoutMs);
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

before(async () => {
  // A real HTTP server standing in for the Python backend: it echoes what it received.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/api/slow") return setTimeout(() => res.end("late"), 500);
      if (req.url === "/api/own-redirect") return res.writeHead(307, { location: `${base}/api/x?y=1` }).end();
      if (req.url === "/api/own-double-slash") return res.writeHead(307, { location: `${base.toUpperCase()}//evil.example/x` }).end();
      if (req.url === "/api/away") return res.writeHead(302, { location: "https://docs.example/page" }).end();
      res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
      res.setHeader("content-type", "application/json");
      res.statusCode = req.url?.startsWith("/api/missing") ? 404 : 200;
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
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
  const proxy = await front(base, 100);
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
