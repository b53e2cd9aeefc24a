/**
 * The protected-content gate in-process (Hono's app.request), on a small built folder and a stubbed session check:
 * what each reader gets for a protected page, a protected file and a public one, and every spelling of a path
 * that serveStatic would resolve to a protected file.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { AccessLevel, ProtectedManifest } from "@textbook-auth/docusaurus-theme/manifest";
import { fileKey, liveProtectedFiles, protectedContent } from "./protected-content";

const SECRET_TEXT = "The protected chapter's only sentence, which no visitor may read.";

function writeSite(dir: string, baseUrl = "/") {
  const files: Record<string, string> = {
    "index.html": "<h1>Home</h1>",
    "docs/intro/index.html": "<h1>Intro</h1>",
    "docs/data/index.html": "<div data-auth-placeholder></div>",
    "docs/members/index.html": "<div>members</div>",
    "assets/js/main.js": "public code",
    "assets/js/data.js": SECRET_TEXT,
    "assets/js/data.js.map": SECRET_TEXT,
    "assets/js/members.js": "members only",
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const manifest: ProtectedManifest = {
    version: 1,
    baseUrl,
    signIn: `${baseUrl}sign-in`,
    onboarding: `${baseUrl}onboarding`,
    routes: { [`${baseUrl}docs/intro`]: "public", [`${baseUrl}docs/data`]: "complete-profile", [`${baseUrl}docs/members`]: "signed-in" },
    files: {
      "assets/js/data.js": { access: "complete-profile", routes: [`${baseUrl}docs/data`] },
      "assets/js/data.js.map": { access: "complete-profile", routes: [`${baseUrl}docs/data`] },
      "assets/js/members.js": { access: "signed-in", routes: [`${baseUrl}docs/members`] },
      "docs/data/index.html": { access: "complete-profile", routes: [`${baseUrl}docs/data`], page: true },
      "docs/members/index.html": { access: "signed-in", routes: [`${baseUrl}docs/members`], page: true },
    },
    leakCheck: { filesChecked: 3, passages: 1 },
  };
  writeFileSync(path.join(dir, "protected-manifest.json"), JSON.stringify(manifest));
}

function appFor(root: string, level: AccessLevel | "down", files = liveProtectedFiles(root)) {
  const app = new Hono();
  const check = async () => {
    if (level === "down") throw new Error("connection refused");
    return level;
  };
  app.use("/*", protectedContent(files, check));
  app.use("/*", serveStatic({ root: path.relative(process.cwd(), root) }));
  return app;
}

describe("protected-content gate", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "gate-"));
    writeSite(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("visitor on a protected page: redirected to sign-in with the way back, nothing else", async () => {
    const r = await appFor(root, "public").request("/docs/data?x=1");
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), "/sign-in?redirect=%2Fdocs%2Fdata%3Fx%3D1");
    assert.equal(r.headers.get("cache-control"), "no-store");
    assert.equal(await r.text(), "");
  });

  it("incomplete reader on a complete-profile page: redirected to onboarding", async () => {
    const r = await appFor(root, "signed-in").request("/docs/data/");
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), "/onboarding?redirect=%2Fdocs%2Fdata%2F");
  });

  it("protected file: 401 UNAUTHENTICATED for a visitor, 403 PROFILE_INCOMPLETE for an incomplete reader, no content", async () => {
    for (const [level, status, code] of [["public", 401, "UNAUTHENTICATED"], ["signed-in", 403, "PROFILE_INCOMPLETE"]] as const) {
      for (const file of ["/assets/js/data.js", "/assets/js/data.js.map"]) {
        const r = await appFor(root, level).request(file);
        assert.equal(r.status, status);
        const text = await r.text();
        assert.equal(JSON.parse(text).code, code);
        assert.ok(!text.includes(SECRET_TEXT));
        assert.equal(r.headers.get("cache-control"), "no-store");
      }
    }
  });

  it("complete reader gets the page and the file, marked private for every cache", async () => {
    const app = appFor(root, "complete-profile");
    const file = await app.request("/assets/js/data.js");
    assert.equal(file.status, 200);
    assert.equal(await file.text(), SECRET_TEXT);
    assert.equal(file.headers.get("cache-control"), "private, no-cache");
    assert.match(file.headers.get("vary") ?? "", /Cookie/);
    const page = await app.request("/docs/data");
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("cache-control"), "private, no-cache");
  });

  it("signed-in pages let an incomplete reader in and keep a visitor out", async () => {
    assert.equal((await appFor(root, "signed-in").request("/docs/members")).status, 200);
    assert.equal((await appFor(root, "signed-in").request("/assets/js/members.js")).status, 200);
    assert.equal((await appFor(root, "public").request("/assets/js/members.js")).status, 401);
    assert.equal((await appFor(root, "public").request("/docs/members")).headers.get("location"), "/sign-in?redirect=%2Fdocs%2Fmembers");
  });

  it("public files are served to everyone, without the private mark", async () => {
    for (const p of ["/", "/docs/intro", "/assets/js/main.js", "/protected-manifest.json"]) {
      const r = await appFor(root, "public").request(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get("cache-control"), null, p);
    }
  });

  it("path tricks: every spelling that reaches a protected file is gated", async () => {
    const app = appFor(root, "public");
    for (const p of [
      "/assets/js/%64ata.js",
      "/assets/js/DATA.js",
      "/ASSETS/js/data.js",
      "/assets//js/data.js",
      "/assets/js/data.js/",
      "/docs/data/index.html",
      "/docs/data/",
      "/docs/%64ata",
      "/Docs/Data",
      "/docs/./data",
      "/docs/intro/../data",
      "/docs/%2e%2e/docs/data",
    ]) {
      const r = await app.request(`http://localhost${p}`);
      assert.ok([302, 401, 404].includes(r.status), `${p}: ${r.status}`);
      assert.ok(!(await r.text()).includes(SECRET_TEXT), p);
    }
  });

  it("HEAD is gated like GET; other methods never reach the files", async () => {
    assert.equal((await appFor(root, "public").request("/assets/js/data.js", { method: "HEAD" })).status, 401);
    assert.equal((await appFor(root, "public").request("/assets/js/data.js", { method: "POST" })).status, 404);
  });

  it("a session check that fails answers 503 AUTH_UNAVAILABLE, never the file", async () => {
    const r = await appFor(root, "down").request("/assets/js/data.js");
    assert.equal(r.status, 503);
    assert.equal((await r.json()).code, "AUTH_UNAVAILABLE");
  });

  it("a site built for a baseUrl, in its subfolder, is protected under that path", async () => {
    const outer = mkdtempSync(path.join(os.tmpdir(), "gate-base-"));
    try {
      writeSite(path.join(outer, "textbook"), "/textbook/");
      const r = await appFor(outer, "public").request("/textbook/docs/data/");
      assert.equal(r.status, 302);
      assert.equal(r.headers.get("location"), "/textbook/sign-in?redirect=%2Ftextbook%2Fdocs%2Fdata%2F");
      assert.equal((await appFor(outer, "public").request("/textbook/assets/js/data.js")).status, 401);
      assert.equal((await appFor(outer, "public").request("/textbook/assets/js/main.js")).status, 200);
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });

  it("a rebuilt site's manifest is read again: newly listed files are protected within the check interval", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gate-rebuild-"));
    try {
      writeSite(dir);
      const files = liveProtectedFiles(dir, 0);
      const app = appFor(dir, "public", files);
      writeFileSync(path.join(dir, "assets/js/new.js"), SECRET_TEXT);
      assert.equal((await app.request("/assets/js/new.js")).status, 200);
      const manifest = JSON.parse(readFileSync(path.join(dir, "protected-manifest.json"), "utf8"));
      manifest.files["assets/js/new.js"] = { access: "complete-profile", routes: ["/docs/data"] };
      writeFileSync(path.join(dir, "protected-manifest.json"), JSON.stringify(manifest));
      const later = new Date(Date.now() + 5000);
      utimesSync(path.join(dir, "protected-manifest.json"), later, later);
      assert.equal((await app.request("/assets/js/new.js")).status, 401);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fileKey resolves a request path the way serveStatic does, without case", () => {
    assert.equal(fileKey("/"), "");
    assert.equal(fileKey("/Docs/Data/"), "docs/data");
    assert.equal(fileKey("/docs/%64ata"), "docs/data");
    assert.equal(fileKey("//docs\\data"), "docs/data");
  });
});
