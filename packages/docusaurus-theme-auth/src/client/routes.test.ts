import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAccessRule, createRouteMatcher, globToRegExp, meets, stripBaseUrl } from "./routes";

describe("globToRegExp", () => {
  it("* stays within a segment, ** crosses segments", () => {
    assert.ok(globToRegExp("/docs/*").test("/docs/a"));
    assert.ok(!globToRegExp("/docs/*").test("/docs/a/b"));
    assert.ok(globToRegExp("/docs/**").test("/docs/a/b"));
    assert.ok(globToRegExp("/docs/**/setup").test("/docs/a/b/setup"));
  });

  it('"/docs/**" covers "/docs" itself but not "/docsx"', () => {
    assert.ok(globToRegExp("/docs/**").test("/docs"));
    assert.ok(!globToRegExp("/docs/**").test("/docsx"));
    assert.ok(!globToRegExp("/docs/**").test("/docsx/a"));
  });

  it("treats regex characters literally", () => {
    assert.ok(globToRegExp("/a.b").test("/a.b"));
    assert.ok(!globToRegExp("/a.b").test("/axb"));
  });
});

describe("createRouteMatcher", () => {
  const isProtected = createRouteMatcher({ protectedRoutes: ["/docs/**"], publicRoutes: ["/docs/intro"] });

  it("protects the docs and nothing else by default", () => {
    assert.equal(isProtected("/docs/chapter-1"), true);
    assert.equal(isProtected("/docs"), true);
    assert.equal(isProtected("/docs/part/chapter"), true);
    assert.equal(isProtected("/"), false);
    assert.equal(isProtected("/sign-in"), false);
    assert.equal(isProtected("/blog/docs/x"), false);
  });

  it("lets a public glob win", () => {
    assert.equal(isProtected("/docs/intro"), false);
    assert.equal(isProtected("/docs/intro/"), false);
  });

  it("gives one answer whatever the trailing slash", () => {
    assert.equal(isProtected("/docs/chapter-1/"), true);
    assert.equal(isProtected("/docs/"), true);
  });

  it("cannot be dodged with encoding or doubled slashes", () => {
    assert.equal(isProtected("/%64ocs/chapter-1"), true);
    assert.equal(isProtected("/docs//chapter-1"), true);
    assert.equal(isProtected("//docs/chapter-1"), true);
    assert.equal(isProtected("/docs/%E0%A4%A"), true);
  });

  it("respects baseUrl", () => {
    const m = createRouteMatcher({ protectedRoutes: ["/docs/**"], publicRoutes: [] }, "/textbook/");
    assert.equal(m("/textbook/docs/a"), true);
    assert.equal(m("/textbook/docs"), true);
    assert.equal(m("/textbook/"), false);
    assert.equal(m("/docs/a"), false);
  });

  it('"/**" protects everything except public globs', () => {
    const m = createRouteMatcher({ protectedRoutes: ["/**"], publicRoutes: ["/", "/sign-in"] });
    assert.equal(m("/"), false);
    assert.equal(m("/sign-in"), false);
    assert.equal(m("/anything/else"), true);
  });
});

describe("stripBaseUrl", () => {
  it("returns the site-relative path or null outside the site", () => {
    assert.equal(stripBaseUrl("/docs/a", "/"), "/docs/a");
    assert.equal(stripBaseUrl("/t/docs/a", "/t/"), "/docs/a");
    assert.equal(stripBaseUrl("/t", "/t/"), "/");
    assert.equal(stripBaseUrl("/tx/a", "/t/"), null);
  });
});

describe("createAccessRule", () => {
  const accessOf = createAccessRule({
    protectedRoutes: ["/docs/**"],
    publicRoutes: ["/docs/intro"],
    pageAccess: { "/docs/members": "signed-in", "/docs/free": "public", "/extra": "complete-profile" },
    alwaysPublic: ["/sign-in"],
  });

  it("front matter wins over the globs, both ways; the globs give the default level", () => {
    assert.equal(accessOf("/docs/members/"), "signed-in");
    assert.equal(accessOf("/docs/free"), "public");
    assert.equal(accessOf("/extra"), "complete-profile");
    assert.equal(accessOf("/docs/other"), "complete-profile");
    assert.equal(accessOf("/docs/intro"), "public");
    assert.equal(accessOf("/"), "public");
  });

  it("the theme's own pages stay public, and spellings of one path get one answer", () => {
    assert.equal(createAccessRule({ protectedRoutes: ["/**"], publicRoutes: [], alwaysPublic: ["/sign-in"] })("/sign-in/"), "public");
    assert.equal(accessOf("/docs/%6Dembers"), "signed-in");
    assert.equal(accessOf("/docs//members"), "signed-in");
  });

  it("front matter permalinks carry the baseUrl", () => {
    const based = createAccessRule({ protectedRoutes: ["/docs/**"], publicRoutes: [], pageAccess: { "/book/docs/a": "public" } }, "/book/");
    assert.equal(based("/book/docs/a"), "public");
    assert.equal(based("/book/docs/b"), "complete-profile");
    assert.equal(based("/docs/b"), "public");
  });

  it("orders the levels", () => {
    assert.ok(meets("complete-profile", "signed-in") && meets("signed-in", "signed-in") && !meets("public", "signed-in"));
  });
});
