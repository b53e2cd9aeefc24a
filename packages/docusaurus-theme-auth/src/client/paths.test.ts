import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FIXED_PAGE_PATHS, THEME_PAGES, sitePath, themePagePaths, themePageRoutes, themePaths } from "./paths";

describe("sitePath", () => {
  it("applies baseUrl", () => {
    assert.equal(sitePath("/", undefined, "/sign-in"), "/sign-in");
    assert.equal(sitePath("/textbook/", undefined, "/sign-in"), "/textbook/sign-in");
  });

  it("applies the trailingSlash setting", () => {
    assert.equal(sitePath("/", true, "/sign-in"), "/sign-in/");
    assert.equal(sitePath("/", false, "/sign-in/"), "/sign-in");
    assert.equal(sitePath("/", undefined, "/sign-in/"), "/sign-in/");
  });

  it("puts the home page at baseUrl", () => {
    assert.equal(themePaths("/textbook/", true, "/onboarding").home, "/textbook/");
    assert.equal(themePaths("/textbook/", true, "/onboarding").onboarding, "/textbook/onboarding/");
  });
});

describe("the theme's pages, from one table", () => {
  it("each page has a link, a route and a place among the always-public paths, onboarding where the option puts it", () => {
    const paths = themePaths("/textbook/", undefined, "/welcome");
    const routes = themePageRoutes("/welcome");
    assert.deepEqual(routes.map((r) => r.page), Object.keys(THEME_PAGES));
    for (const route of routes) {
      assert.equal(paths[route.page], `/textbook${route.path}`, route.page);
      assert.match(route.component, /^@theme\/[A-Z]\w+$/, route.page);
    }
    assert.equal(paths.onboarding, "/textbook/welcome");
    assert.deepEqual(themePagePaths("/welcome").sort(), [...FIXED_PAGE_PATHS, "/welcome"].sort());
    assert.ok(!FIXED_PAGE_PATHS.includes(THEME_PAGES.onboarding.path));
  });
});
