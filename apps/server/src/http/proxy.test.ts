import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy } from "./proxy";

let upstream: Server;
let base: string;

before(async () => {
  // A real HTTP server standing in for the Python backend: it echoes what it received.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/api/slow") return setTimeout(() => res.end("late"), 500);
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
  const proxy = createProxy(base);
  const res = await proxy(
    new Request("http://localhost:3000/api/progress?x=1&y=%2F", {
      method: "PUT",
      headers: { cookie: "better-auth.session_token=abc%3D", "content-type": "application/json", connection: "keep-alive" },
      body: JSON.stringify({ chapter: "intro" }),
    }),
    "10.1.2.3",
  );
  assert.equal(res.status, 200);
  const echo = await res.json();
  assert.equal(echo.method, "PUT");
  assert.equal(echo.url, "/api/progress?x=1&y=%2F");
  assert.equal(echo.body, '{"chapter":"intro"}');
  assert.equal(echo.headers.cookie, "better-auth.session_token=abc%3D");
  assert.equal(echo.headers["x-forwarded-for"], "10.1.2.3");
  assert.equal(echo.headers["x-forwarded-host"], "localhost:3000");
  assert.equal(echo.headers["x-forwarded-proto"], "http");
  assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
});

test("passes upstream error statuses through unchanged", async () => {
  const res = await createProxy(base)(new Request("http://localhost:3000/api/missing"), undefined);
  assert.equal(res.status, 404);
});

test("a backend that does not listen is 502 UPSTREAM_UNAVAILABLE", async () => {
  const res = await createProxy("http://127.0.0.1:9")(new Request("http://localhost:3000/api/me"), undefined);
  assert.equal(res.status, 502);
  assert.equal((await res.json()).code, "UPSTREAM_UNAVAILABLE");
});

test("a backend that does not answer in time is 504 UPSTREAM_TIMEOUT", async () => {
  const res = await createProxy(base, 100)(new Request("http://localhost:3000/api/slow"), undefined);
  assert.equal(res.status, 504);
  assert.equal((await res.json()).code, "UPSTREAM_TIMEOUT");
});
