/**
 * The build's leak check. Unit cases for the plan (which files a route's chunk groups make protected) and the
 * search (escaped and split text still found), then the real thing: `docusaurus build` of a fixture site whose
 * public page imports a protected chapter must fail, naming the file and the route.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RouteConfig } from "@docusaurus/types";
import type { ChunkGraph } from "./chunk-graph";
import { findLeaks } from "./leaks";
import { planProtection } from "./protection";
import { htmlFileOf } from "./postbuild";
import { sentences } from "./text";
import { MANIFEST_FILE, parseManifest } from "../manifest";

const graph: ChunkGraph = {
  groups: [
    { name: "main", initial: true, files: ["assets/js/main.js", "assets/css/styles.css"], modules: ["/site/node_modules/app.js"], children: [1, 2, 3, 4] },
    { name: "doc-item", initial: false, files: ["assets/js/doc-item.js", "assets/js/shared-lib.js"], modules: ["/site/node_modules/DocItem.js"], children: [5] },
    { name: "intro", initial: false, files: ["assets/js/intro.js"], modules: ["/site/docs/intro.md"], children: [] },
    { name: "secret", initial: false, files: ["assets/js/secret.js", "assets/js/shared-lib.js"], modules: ["/site/docs/secret.mdx", "/site/docs/_partial.mdx"], children: [] },
    { name: "layout", initial: false, files: ["assets/js/layout.js"], modules: ["/site/node_modules/DocRoot.js"], children: [] },
    { name: null, initial: false, files: ["assets/js/lazy-widget.js"], modules: ["/site/node_modules/widget.js"], children: [] },
  ],
};
const routes: RouteConfig[] = [
  {
    path: "/docs",
    component: "@theme/DocRoot",
    routes: [
      { path: "/docs/intro", component: "@theme/DocItem", modules: { content: "@site/docs/intro.md" }, exact: true },
      { path: "/docs/secret", component: "@theme/DocItem", modules: { content: "@site/docs/secret.mdx" }, exact: true },
    ],
  },
];
const routesChunkNames = {
  "/docs-abc": { __comp: "layout" },
  "/docs/intro-123": { __comp: "doc-item", content: "intro" },
  "/docs/secret-456": { __comp: "doc-item", content: "secret" },
};

describe("sentences", () => {
  it("a route, a source path or an id is a name, not a passage, however many words its slug has", () => {
    // create-docusaurus' own tutorial: the bundle's route table names every page; route names are public.
    assert.deepEqual(sentences("/docs/tutorial-extras/translate-your-site"), []);
    assert.deepEqual(sentences("@site/docs/tutorial-basics/create-a-page.mdx"), []);
    assert.deepEqual(sentences("tutorial-extras/manage-docs-versions-of-your-site"), []);
  });

  it("control: prose of six words or more is a passage, and so is each long sentence of a run", () => {
    assert.deepEqual(sentences("The lighthouse keeper counted every ship. Short one."), ["the lighthouse keeper counted every ship"]);
    assert.deepEqual(sentences("Read `=` as\n\"now refers to\", never as equals."), ["read as now refers to never as equals"]);
  });
});

describe("planProtection", () => {
  const plan = planProtection({
    routes,
    routesChunkNames,
    graph,
    accessOf: (p) => (p === "/docs/secret" ? "complete-profile" : "public"),
    htmlFile: (p) => `${p.slice(1)}/index.html`,
    resolveModule: (m) => (m.startsWith("@site/") ? `/site/${m.slice(6)}` : null),
  });

  it("protects what only protected routes load, and each protected page's HTML", () => {
    assert.deepEqual(Object.keys(plan.files).sort(), ["assets/js/secret.js", "docs/secret/index.html"]);
    assert.deepEqual(plan.files["docs/secret/index.html"], { access: "complete-profile", routes: ["/docs/secret"], page: true });
  });

  it("a file a public route also loads (a shared library, the layout, a lazy chunk of a shared component) stays public", () => {
    for (const f of ["assets/js/shared-lib.js", "assets/js/layout.js", "assets/js/lazy-widget.js", "assets/js/main.js"]) assert.equal(plan.files[f], undefined, f);
  });

  it("a protected page's text is its own module and modules only protected pages load", () => {
    assert.deepEqual(plan.protectedSources.get("/docs/secret"), ["/site/docs/_partial.mdx", "/site/docs/secret.mdx"]);
    assert.ok(plan.publicSources.has("/site/docs/intro.md"));
    assert.ok(!plan.publicSources.has("/site/docs/secret.mdx"));
  });

  it("maps routes to the HTML files Docusaurus writes", () => {
    assert.equal(htmlFileOf("/docs/a", "/", undefined), "docs/a/index.html");
    assert.equal(htmlFileOf("/docs/a", "/", false), "docs/a.html");
    assert.equal(htmlFileOf("/textbook/docs/a/", "/textbook/", true), "docs/a/index.html");
    assert.equal(htmlFileOf("/", "/", false), "index.html");
  });
});

describe("findLeaks", () => {
  it("finds a passage through JavaScript escapes, HTML entities and line breaks, and names file and route", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "leaks-"));
    try {
      mkdirSync(path.join(dir, "assets"));
      writeFileSync(path.join(dir, "assets/a.js"), 'x("The keeper\\u2019s ledger listed\\nforty-one names in green ink")');
      writeFileSync(path.join(dir, "page.html"), "<p>The keeper&#x27;s ledger listed forty&#45;one names in <em>green</em> ink.</p>");
      writeFileSync(path.join(dir, "protected.js"), "the keeper s ledger listed forty one names in green ink");
      writeFileSync(path.join(dir, "clean.js"), "The keeper's ledger listed forty-one names.");
      const passages = [{ route: "/docs/secret", level: "complete-profile" as const, text: "the keeper s ledger listed forty one names in green ink" }];
      const { leaks, filesChecked } = await findLeaks(dir, passages, (f) => (f === "protected.js" ? "complete-profile" : "public"));
      assert.equal(filesChecked, 4);
      assert.deepEqual(leaks.map((l) => [l.file, l.route]).sort(), [["assets/a.js", "/docs/secret"], ["page.html", "/docs/secret"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docusaurus build of a leaking site", () => {
  const siteDir = path.join(import.meta.dirname, "../../test/leaky-site");
  const docusaurus = path.join(import.meta.dirname, "../../../../node_modules/@docusaurus/core/bin/docusaurus.mjs");
  const build = (outDir: string, env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [docusaurus, "build", siteDir, "--out-dir", outDir],
        { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, output: stdout + stderr }),
      );
      child.stdin?.end();
    });

  it("fails, naming the public files that carry the protected chapter's text and the chapter's route", async () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), "leaky-site-"));
    try {
      const result = await build(outDir);
      assert.notEqual(result.code, 0, "the build must fail");
      assert.match(result.output, /teaser\/index\.html carries text of protected route \/docs\/secret/);
      assert.match(result.output, /assets\/js\/[\w.]+\.js carries text of protected route \/docs\/secret: "the lighthouse keeper counted/);
      // The front matter made /docs/open public: its text is not reported.
      assert.doesNotMatch(result.output, /\/docs\/open/);
      assert.ok(!existsSync(path.join(outDir, MANIFEST_FILE)), "no manifest for a leaking build");
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it("control: the same site without the leaking page builds, and its chapter's chunk and image are protected", async () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), "leaky-site-off-"));
    try {
      const result = await build(outDir, { FIXTURE_LEAK: "off" });
      assert.equal(result.code, 0, result.output);
      const manifest = parseManifest(JSON.parse(readFileSync(path.join(outDir, MANIFEST_FILE), "utf8")));
      const files = Object.keys(manifest.files);
      assert.ok(files.some((f) => /^assets\/images\/ledger-\w+\.png$/.test(f)), files.join(", "));
      assert.ok(files.some((f) => /^assets\/js\/.+\.js$/.test(f)));
      assert.ok(files.includes("docs/secret/index.html"));
      assert.equal(manifest.routes["/docs/open"], "public");
      assert.ok(manifest.leakCheck.passages >= 2);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
