import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HOSTILE_REDIRECTS } from "../testing/hostile-redirects";
import { forAuthServer, redirectFromSearch, sanitizeRedirect, withRedirect } from "./redirect";

describe("sanitizeRedirect: open-redirect attacks fall back to home", () => {
  for (const { attack, value } of HOSTILE_REDIRECTS) {
    it(`${attack}: ${JSON.stringify(value.length > 80 ? value.slice(0, 80) + "..." : value)}`, () => {
      assert.equal(sanitizeRedirect(value, "/"), "/");
    });
  }
});

describe("sanitizeRedirect: anything that is not a path on this site falls back", () => {
  it("refuses non-strings", () => {
    for (const input of [null, undefined, 42, ["/docs"], { toString: () => "/docs" }]) {
      assert.equal(sanitizeRedirect(input, "/home/"), "/home/");
    }
  });

  it("refuses the empty string and relative paths", () => {
    for (const input of ["", "docs/intro", "./docs", "../docs"]) assert.equal(sanitizeRedirect(input, "/home/"), "/home/");
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

  it("falls back for every hostile value once it has been through the query string", () => {
    // URLSearchParams decodes one layer (and "+" as a space) before the sanitiser sees the value.
    for (const { attack, value } of HOSTILE_REDIRECTS) {
      assert.equal(redirectFromSearch(`?redirect=${encodeURIComponent(value)}`, "/"), "/", attack);
      assert.equal(redirectFromSearch(`?redirect=${value}`, "/"), "/", `${attack}, unencoded`);
    }
    assert.equal(redirectFromSearch("", "/"), "/");
  });
});

describe("forAuthServer: paths handed to the auth server for its own redirects", () => {
  const path = "/onboarding?redirect=%2Fdocs%2Fvariables";
  it("stay relative when the auth server is on the page's origin", () => {
    assert.equal(forAuthServer(path, "/api/auth", "https://book.example"), path);
    assert.equal(forAuthServer(path, "https://book.example/api/auth", "https://book.example"), path);
  });
  it("become absolute on the page's origin when the auth server is on another (a sibling subdomain)", () => {
    assert.equal(forAuthServer(path, "https://auth.example.com/api/auth", "https://docs.example.com"), `https://docs.example.com${path}`);
    assert.equal(forAuthServer("/textbook/sign-in", "https://auth.example.com:8443/api/auth", "https://auth.example.com"), "https://auth.example.com/textbook/sign-in");
  });
});
