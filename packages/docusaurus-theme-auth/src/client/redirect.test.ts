import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { redirectFromSearch, sanitizeRedirect, withRedirect } from "./redirect";

describe("sanitizeRedirect: open-redirect attacks fall back to home", () => {
  const hostile = [
    "//evil.example",
    "//evil.example/docs",
    "///evil.example",
    "https://evil.example",
    "http://evil.example/docs",
    "HTTPS://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2Fevil.example",
    "%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "%5C%5Cevil.example",
    "/%252F%252Fevil.example",
    "/%09/evil.example",
    "%6A%61vascript:alert(1)",
    "evil.example",
    "docs/intro",
    "",
    "/%E0%A4%A",
  ];
  for (const input of hostile) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.equal(sanitizeRedirect(input, "/"), "/");
    });
  }

  it("refuses non-strings", () => {
    for (const input of [null, undefined, 42, ["/docs"], { toString: () => "/docs" }]) {
      assert.equal(sanitizeRedirect(input, "/home/"), "/home/");
    }
  });

  it("refuses absurdly long values", () => {
    assert.equal(sanitizeRedirect("/" + "a".repeat(5000), "/"), "/");
  });
});

describe("sanitizeRedirect: same-origin paths pass", () => {
  const cases: [string, string][] = [
    ["/docs/chapter-1", "/docs/chapter-1"],
    ["/docs/chapter-1/", "/docs/chapter-1/"],
    ["/docs/chapter-1?tab=a#part-2", "/docs/chapter-1?tab=a#part-2"],
    ["/", "/"],
    ["/docs/a/../b", "/docs/b"],
    ["/docs/%C3%A9t%C3%A9", "/docs/%C3%A9t%C3%A9"],
    ["/javascript:alert(1)", "/javascript:alert(1)"],
  ];
  for (const [input, expected] of cases) {
    it(`keeps ${input}`, () => assert.equal(sanitizeRedirect(input, "/"), expected));
  }

  it("keeps a path inside baseUrl and refuses one outside it", () => {
    assert.equal(sanitizeRedirect("/textbook/docs/a", "/textbook/", "/textbook/"), "/textbook/docs/a");
    assert.equal(sanitizeRedirect("/textbook", "/textbook/", "/textbook/"), "/textbook");
    assert.equal(sanitizeRedirect("/other/docs/a", "/textbook/", "/textbook/"), "/textbook/");
    assert.equal(sanitizeRedirect("/textbookx/a", "/textbook/", "/textbook/"), "/textbook/");
  });
});

describe("redirect query", () => {
  it("round-trips a path with its own query and hash", () => {
    const url = withRedirect("/sign-in", "/docs/a?x=1&y=2#h");
    const search = url.slice(url.indexOf("?"));
    assert.equal(redirectFromSearch(search, "/"), "/docs/a?x=1&y=2#h");
  });

  it("appends to an existing query", () => {
    assert.equal(withRedirect("/onboarding?step=1", "/docs"), "/onboarding?step=1&redirect=%2Fdocs");
  });

  it("leaves the path alone without a target", () => {
    assert.equal(withRedirect("/sign-in", null), "/sign-in");
  });

  it("falls back for a hostile query value, decoded by URLSearchParams", () => {
    assert.equal(redirectFromSearch("?redirect=%2F%2Fevil.example", "/"), "/");
    assert.equal(redirectFromSearch("?redirect=https%3A%2F%2Fevil.example", "/"), "/");
    assert.equal(redirectFromSearch("?redirect=%2F%5Cevil.example", "/"), "/");
    assert.equal(redirectFromSearch("", "/"), "/");
  });
});
