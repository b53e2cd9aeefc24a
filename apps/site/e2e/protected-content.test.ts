/**
 * Protected chapters stay on the server. Against the real Node server serving the real build:
 *  - every doc page browsed as a visitor, an incomplete reader and a complete reader; every URL the complete
 *    reader's browser fetched is requested again as the other two, and no sentence of any protected chapter comes
 *    back (the control: the complete reader's own responses carry them all);
 *  - curl-style checks of the HTML, the chunks, 401/403, the redirects and the cache headers;
 *  - hovering (preload) and clicking (client-side navigation) protected links with no page error, and onboarding
 *    finished in place, the chapter then opened without a full reload.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext, Browser, BrowserContext, Page } from "playwright-core";
import type { ProtectedManifest } from "@textbook-auth/docusaurus-theme/manifest";
import { decodeEscapes, normalize, passagesOfFiles } from "../../../packages/docusaurus-theme-auth/src/build/text";
import { launchBrowser, pathOf, ROOT, shot, signUpReader, startProduct, type Product } from "./harness";

const manifest: ProtectedManifest = JSON.parse(readFileSync(path.join(ROOT, "apps/site/build/protected-manifest.json"), "utf8"));
const PROFILE = { pythonProficiency: "intermediate", developerRole: "backend" };
const protectedRoutes = Object.entries(manifest.routes).filter(([, level]) => level !== "public").map(([r]) => r);
const docRoutes = Object.keys(manifest.routes).filter((r) => r.startsWith("/docs/"));
const protectedFiles = Object.keys(manifest.files).filter((f) => !manifest.files[f]!.page);

type Who = "visitor" | "incomplete" | "complete";

/** A browser context for one kind of reader, signed up through the API (cookies shared with its pages). */
async function readerContext(browser: Browser, product: Product, who: Who): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: product.url });
  if (who !== "visitor") await signUpReader(context, product, { label: `pc-${who}`, name: `Reader ${who}`, profile: who === "complete" ? PROFILE : undefined });
  return context;
}

/**
 * Everything that went wrong in a page: uncaught errors, console errors, refused same-origin requests. Chromium's
 * own "Failed to load resource" lines are left to the response listener, which names the URL (the site has no
 * favicon, and the browser asks for /favicon.ico on its own).
 */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.url().startsWith(origin) && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return problems;
}

/** Sentences (six words or more) of the chapter a complete reader sees, as words only. */
async function chapterSentences(page: Page): Promise<string[]> {
  const text = await page.locator("article").innerText();
  return text
    .split(/(?<=[.!?;:])\s+|\n+/)
    .map(normalize)
    .filter((s) => s.split(" ").length >= 6);
}

async function bodyText(request: APIRequestContext, url: string): Promise<{ status: number; text: string }> {
  const r = await request.get(url, { maxRedirects: 0 });
  return { status: r.status(), text: ` ${normalize(decodeEscapes(await r.text()))} ` };
}

describe("protected chapters stay on the server", () => {
  let product: Product;
  let browser: Browser;
  const contexts = {} as Record<Who, BrowserContext>;

  before(async () => {
    [product, browser] = await Promise.all([startProduct({ label: "protected-content" }), launchBrowser()]);
    for (const who of ["visitor", "incomplete", "complete"] as const) contexts[who] = await readerContext(browser, product, who);
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
  });

  it("the build's leak check ran and passed, and the manifest covers every protected page", () => {
    assert.ok(manifest.leakCheck.filesChecked > 10 && manifest.leakCheck.passages > 5, JSON.stringify(manifest.leakCheck));
    assert.deepEqual(protectedRoutes.sort(), ["/backend", "/docs/data", "/docs/functions", "/docs/study-habits", "/docs/variables"]);
    // Front matter decides: the page that says `access: signed-in` is at that level, the others at the default.
    assert.equal(manifest.routes["/docs/study-habits"], "signed-in");
    assert.equal(manifest.routes["/docs/variables"], "complete-profile");
    for (const route of protectedRoutes) {
      assert.equal(manifest.files[`${route.slice(1)}/index.html`]?.page, true, route);
      assert.ok(protectedFiles.some((f) => manifest.files[f]!.routes.includes(route)), `a chunk of ${route}`);
    }
  });

  it("browsing every doc page: no sentence of a protected chapter reaches a visitor or an incomplete reader, from any URL the complete reader fetched", async () => {
    const fetched = new Set<string>();
    const sentences = new Map<string, string>(); // sentence → route
    const page = await contexts.complete.newPage();
    const problems = watch(page, product.url);
    page.on("request", (r) => {
      if (r.url().startsWith(product.url) && r.method() === "GET" && !new URL(r.url()).pathname.startsWith("/api/")) fetched.add(r.url());
    });
    for (const route of docRoutes) {
      await page.goto(route);
      await page.getByRole("heading", { level: 1 }).waitFor();
      assert.equal(pathOf(page), route);
      if (manifest.routes[route] !== "public") for (const s of await chapterSentences(page)) sentences.set(s, route);
      await page.waitForLoadState("networkidle");
    }
    await shot(page, "protected-content-01-complete-reader");
    assert.deepEqual(problems, []);
    // Sentences a public page also shows are public (none are expected here, but the comparison must be fair).
    const publicPage = await contexts.visitor.newPage();
    for (const route of docRoutes.filter((r) => manifest.routes[r] === "public")) {
      await publicPage.goto(route);
      for (const s of await chapterSentences(publicPage)) sentences.delete(s);
    }
    assert.ok(sentences.size >= 6, `protected sentences seen: ${sentences.size}`);

    // The others browse the same pages and land where they should.
    for (const who of ["visitor", "incomplete"] as const) {
      const p = await contexts[who].newPage();
      const pageProblems = watch(p, product.url);
      for (const route of docRoutes) {
        await p.goto(route);
        if (manifest.routes[route] === "public" || (who === "incomplete" && manifest.routes[route] === "signed-in")) {
          assert.equal(pathOf(p), route);
          await p.getByRole("heading", { level: 1 }).waitFor();
        } else {
          const target = who === "visitor" ? "/sign-in" : "/onboarding";
          await p.waitForURL((u) => u.pathname === target);
          assert.equal(new URL(p.url()).searchParams.get("redirect"), route);
        }
      }
      assert.deepEqual(pageProblems, [], who);
    }

    // Probes: the sentences the complete reader saw, plus the chapters' source passages (split where inline markup
    // splits the compiled text, so they also match inside the JavaScript chunks).
    const sources = await passagesOfFiles(["variables.mdx", "functions.mdx", "data.mdx"].map((f) => path.join(ROOT, "apps/site/docs", f)));
    for (const [file, passages] of sources) for (const s of passages) sentences.set(s, `/docs/${path.basename(file, ".mdx")}`);

    // Every URL again, as each reader; the complete reader's own answers are the control.
    const seenByComplete = new Set<string>();
    for (const url of fetched) {
      const mine = await bodyText(contexts.complete.request, url);
      for (const s of sentences.keys()) if (mine.text.includes(` ${s} `)) seenByComplete.add(s);
      for (const who of ["visitor", "incomplete"] as const) {
        const theirs = await bodyText(contexts[who].request, url);
        for (const [s, route] of sentences) {
          // A signed-in page is for incomplete readers too.
          if (who === "incomplete" && manifest.routes[route] === "signed-in") continue;
          assert.ok(!theirs.text.includes(` ${s} `), `${who} got text of ${route} from ${url}: "${s}"`);
        }
      }
    }
    // A sentence the reader saw whole but the chunk holds in pieces (inline code in the middle) probes nothing:
    // the control must find every source passage and, for every chapter, several of the sentences as shown.
    for (const passages of sources.values()) for (const s of passages) assert.ok(seenByComplete.has(s), `control: "${s}"`);
    for (const route of protectedRoutes.filter((r) => r.startsWith("/docs/"))) {
      if (route === "/docs/study-habits") continue; // its sentences are few: see the next test
      const found = [...sentences].filter(([s, r]) => r === route && seenByComplete.has(s)).length;
      assert.ok(found >= 3, `control: only ${found} sentences of ${route} found in the complete reader's responses`);
    }
    assert.ok(protectedFiles.every((f) => fetched.has(`${product.url}/${f}`) || f.includes("b25a31a4") || f.endsWith(".map")), "the reader loaded the chapters' chunks");
  });

  describe("curl-style: HTML, chunks, codes, redirects, cache headers", () => {
    const cookie = async (who: Who) =>
      (await contexts[who].cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const get = async (who: Who, p: string, init: RequestInit = {}) =>
      fetch(`${product.url}${p}`, { redirect: "manual", ...init, headers: { cookie: who === "visitor" ? "" : await cookie(who), ...init.headers } });

    it("a protected page: visitor → sign-in, incomplete → onboarding (with ?redirect=), complete → the page, private", async () => {
      const v = await get("visitor", "/docs/variables?from=curl");
      assert.equal(v.status, 302);
      assert.equal(v.headers.get("location"), "/sign-in?redirect=%2Fdocs%2Fvariables%3Ffrom%3Dcurl");
      assert.equal(v.headers.get("cache-control"), "no-store");
      const i = await get("incomplete", "/docs/variables/");
      assert.equal(i.status, 302);
      assert.equal(i.headers.get("location"), "/onboarding?redirect=%2Fdocs%2Fvariables%2F");
      const c = await get("complete", "/docs/variables");
      assert.equal(c.status, 200);
      assert.match(c.headers.get("content-type") ?? "", /text\/html/);
      assert.equal(c.headers.get("cache-control"), "private, no-cache");
      const html = await c.text();
      // The placeholder HTML: the site's title, no excerpt of the chapter in <title> or any meta tag.
      assert.match(html, /<title[^>]*>Python for Builders<\/title>/);
      assert.doesNotMatch(html, /<meta[^>]+(description|og:title)[^>]+(variable|rebind)/i);
      assert.ok(html.includes("data-auth-placeholder"));
    });

    it("a signed-in page (front matter): a visitor is sent to sign-in, an incomplete reader reads it, page and chunk", async () => {
      const chunk = protectedFiles.find((f) => manifest.files[f]!.routes.includes("/docs/study-habits"))!;
      assert.equal(manifest.files[chunk]!.access, "signed-in");
      assert.equal((await get("visitor", "/docs/study-habits")).headers.get("location"), "/sign-in?redirect=%2Fdocs%2Fstudy-habits");
      assert.equal((await get("visitor", `/${chunk}`)).status, 401);
      assert.equal((await get("incomplete", "/docs/study-habits")).status, 200);
      const text = normalize(decodeEscapes(await (await get("incomplete", `/${chunk}`)).text()));
      assert.ok(text.includes("type every example yourself instead of copying it"));
      // And the browser's gate reads the same rule: the incomplete reader sees the page, not onboarding.
      const page = await contexts.incomplete.newPage();
      await page.goto("/docs/study-habits");
      await page.getByRole("heading", { level: 1, name: "Study habits" }).waitFor();
      assert.equal(pathOf(page), "/docs/study-habits");
      await page.close();
    });

    it("every protected file: 401 UNAUTHENTICATED, 403 PROFILE_INCOMPLETE, or the file marked private", async () => {
      for (const file of protectedFiles) {
        const v = await get("visitor", `/${file}`);
        assert.equal(v.status, 401, file);
        assert.deepEqual(Object.keys(await v.json()).sort(), ["code", "message"]);
        const i = await get("incomplete", `/${file}`);
        if (manifest.files[file]!.access === "signed-in") {
          assert.equal(i.status, 200, file);
          await i.arrayBuffer();
        } else {
          assert.equal(i.status, 403, file);
          assert.equal((await i.json()).code, "PROFILE_INCOMPLETE");
        }
        const c = await get("complete", `/${file}`);
        assert.equal(c.status, 200, file);
        assert.equal(c.headers.get("cache-control"), "private, no-cache");
        assert.match(c.headers.get("content-type") ?? "", /javascript/);
        await c.arrayBuffer();
      }
      assert.equal((await (await get("visitor", `/${protectedFiles[0]}`)).json()).code, "UNAUTHENTICATED");
    });

    it("public files: served to everyone, not marked private", async () => {
      const html = readFileSync(path.join(ROOT, "apps/site/build/docs/intro/index.html"), "utf8");
      const scripts = [...html.matchAll(/src="?(\/assets\/js\/[^"\s>]+)/g)].map((m) => m[1]!);
      assert.ok(scripts.length > 0);
      for (const p of ["/docs/intro", "/", "/sitemap.xml", ...scripts]) {
        const r = await get("visitor", p);
        assert.equal(r.status, 200, p);
        assert.notEqual(r.headers.get("cache-control"), "private, no-cache", p);
        await r.arrayBuffer();
      }
    });

    it("a forged, a tampered or a signed-out cookie is a visitor", async () => {
      const file = `/${protectedFiles[0]}`;
      const real = await cookie("complete");
      const [name, value] = real.split(";")[0]!.split("=") as [string, string];
      const tampered = `${name}=${value.replace(/^./, (c) => (c === "a" ? "b" : "a"))}`;
      for (const forged of [tampered, `${name}=${value.split(".")[0]}`, `${name}=x.${"A".repeat(43)}=`]) {
        const r = await fetch(`${product.url}${file}`, { headers: { cookie: forged } });
        assert.equal(r.status, 401, forged);
      }
      const gone = await readerContext(browser, product, "complete");
      const goneCookie = (await gone.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
      assert.equal((await fetch(`${product.url}${file}`, { headers: { cookie: goneCookie } })).status, 200);
      await gone.request.post("/api/auth/sign-out", { headers: { origin: product.url }, data: {} });
      assert.equal((await fetch(`${product.url}${file}`, { headers: { cookie: goneCookie } })).status, 401);
      await gone.close();
    });

    it("the sitemap lists protected routes, never their text", async () => {
      const xml = await (await get("visitor", "/sitemap.xml")).text();
      assert.ok(xml.includes("/docs/variables"));
      assert.doesNotMatch(xml, /rebinds|A variable is/);
    });
  });

  describe("in the browser: hover preloads and client-side navigation", () => {
    it("a visitor hovering and clicking a protected link: nothing protected requested, no page error, ends on sign-in", async () => {
      const page = await contexts.visitor.newPage();
      const problems = watch(page, product.url);
      await page.goto("/docs/intro");
      await page.getByRole("link", { name: "Sign in" }).waitFor(); // the session is known: a visitor
      const sidebar = page.locator(".theme-doc-sidebar-container");
      for (const name of ["Variables and values", "Functions", "Lists and dictionaries"]) await sidebar.getByRole("link", { name }).hover();
      await page.getByRole("link", { name: "Next" }).hover().catch(() => {});
      await page.waitForTimeout(500);
      await sidebar.getByRole("link", { name: "Functions" }).click();
      await page.waitForURL((u) => u.pathname === "/sign-in");
      assert.equal(pathOf(page), "/sign-in?redirect=%2Fdocs%2Ffunctions");
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await shot(page, "protected-content-02-visitor-hover-click");
      assert.deepEqual(problems, []);
    });

    it("an incomplete reader: sent to onboarding, answers, and reads the chapter without a full reload", async () => {
      const context = await readerContext(browser, product, "incomplete");
      const page = await context.newPage();
      const problems = watch(page, product.url);
      await page.goto("/docs/intro");
      await page.getByRole("button", { name: "Reader incomplete" }).waitFor();
      await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
      const sidebar = page.locator(".theme-doc-sidebar-container");
      await sidebar.getByRole("link", { name: "Variables and values" }).hover();
      await page.waitForTimeout(300);
      await sidebar.getByRole("link", { name: "Variables and values" }).click();
      await page.waitForURL((u) => u.pathname === "/onboarding");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), "/docs/variables");
      await page.locator("input[name=pythonProficiency][value=beginner]").check();
      await page.locator("select[name=developerRole]").selectOption("data_science");
      await page.locator("form[aria-label='Reader profile'] button[type=submit]").click();
      await page.waitForURL((u) => u.pathname === "/docs/variables");
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      assert.ok(await page.getByText("A variable is a name bound to a value").isVisible());
      assert.equal(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload), true, "no full reload");
      await shot(page, "protected-content-03-onboarded-then-chapter");
      assert.deepEqual(problems, []);
      await context.close();
    });

    it("a complete reader: hovering preloads the chapter, clicking opens it in place", async () => {
      const page = await contexts.complete.newPage();
      const problems = watch(page, product.url);
      const chunks: string[] = [];
      // Listening from the start: the sidebar link may be prefetched as it scrolls into view, before the hover.
      let functionsLoaded!: () => void;
      const functionsChunk = new Promise<void>((resolve) => (functionsLoaded = resolve));
      page.on("response", (r) => {
        const file = new URL(r.url()).pathname.slice(1);
        if (manifest.files[file]) chunks.push(`${r.status()} ${file}`);
        if (manifest.files[file]?.routes.includes("/docs/functions")) functionsLoaded();
      });
      await page.goto("/docs/intro");
      await page.getByRole("button", { name: "Reader complete" }).waitFor();
      await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
      const link = page.locator(".theme-doc-sidebar-container").getByRole("link", { name: "Functions" });
      await link.hover();
      await Promise.race([functionsChunk, page.waitForTimeout(15_000).then(() => assert.fail("the chapter's chunks were never loaded"))]);
      await link.click();
      await page.getByRole("heading", { level: 1, name: "Functions" }).waitFor();
      assert.equal(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload), true);
      assert.ok(chunks.length > 0 && chunks.every((c) => c.startsWith("200 ")), chunks.join(", "));
      assert.deepEqual(problems, []);
    });
  });
});
