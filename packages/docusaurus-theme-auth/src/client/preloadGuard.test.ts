import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { installPreloadGuard, mayLoad } from "./preloadGuard";

describe("mayLoad", () => {
  it("loads a protected route's chunks only once the session says the reader may read it", () => {
    assert.equal(mayLoad("loading", "complete-profile"), false);
    assert.equal(mayLoad("unavailable", "signed-in"), false);
    assert.equal(mayLoad("visitor", "signed-in"), false);
    assert.equal(mayLoad("incomplete", "signed-in"), true);
    assert.equal(mayLoad("incomplete", "complete-profile"), false);
    assert.equal(mayLoad("reader", "complete-profile"), true);
    assert.equal(mayLoad("loading", "public"), true);
  });
});

describe("installPreloadGuard", () => {
  const w = globalThis as unknown as { window?: { docusaurus?: unknown } };
  afterEach(() => delete w.window);

  it("skips prefetch and preload of routes the reader may not load, passes the others, and can be undone", async () => {
    const calls: string[] = [];
    const original = Object.freeze({
      prefetch: (p: string) => (calls.push(`prefetch ${p}`), Promise.resolve([])),
      preload: (p: string) => (calls.push(`preload ${p}`), Promise.reject(new Error("401"))),
    });
    w.window = { docusaurus: original };
    const undo = installPreloadGuard((p) => !p.startsWith("/docs/secret"));
    const guarded = w.window.docusaurus as typeof original;
    assert.equal(guarded.preload("/docs/secret#part"), false);
    assert.equal(guarded.prefetch("/docs/secret?x=1"), false);
    await guarded.prefetch("/docs/intro");
    // A permitted load that fails anyway is caught here, so it is no unhandled rejection.
    const failed = guarded.preload("/docs/open");
    await assert.rejects(failed as Promise<unknown>);
    assert.deepEqual(calls, ["prefetch /docs/intro", "preload /docs/open"]);
    undo();
    assert.equal(w.window.docusaurus, original);
  });
});
