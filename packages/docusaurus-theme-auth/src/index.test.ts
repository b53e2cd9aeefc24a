import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import type { LoadContext } from "@docusaurus/types";
import themeAuth, { protectedPageTitles, validateOptions } from "./index";
import { DEFAULT_OPTIONS } from "./options";

function load(baseUrl: string) {
  const plugin = themeAuth({ siteConfig: { baseUrl } } as LoadContext, { id: "default", ...DEFAULT_OPTIONS });
  const routes: { path: string; component: string; exact?: boolean }[] = [];
  let globalData: unknown;
  const actions = {
    addRoute: (r: (typeof routes)[number]) => routes.push(r),
    setGlobalData: (d: unknown) => (globalData = d),
  };
  return { plugin, routes, actions, globalData: () => globalData };
}

describe("plugin", () => {
  it("exports validateOptions where Docusaurus looks for it", () => {
    assert.equal(typeof validateOptions, "function");
  });

  it("adds its pages under baseUrl, each pointing at a swizzlable @theme component", async () => {
    for (const [baseUrl, prefix] of [["/", ""], ["/textbook/", "/textbook"]] as const) {
      const { plugin, routes, actions } = load(baseUrl);
      await plugin.contentLoaded!({ content: undefined, actions: actions as never });
      assert.deepEqual(
        routes.map((r) => [r.path, r.component, r.exact]),
        [
          [`${prefix}/sign-in`, "@theme/SignIn", true],
          [`${prefix}/sign-up`, "@theme/SignUp", true],
          [`${prefix}/onboarding`, "@theme/Onboarding", true],
          [`${prefix}/account`, "@theme/Account", true],
          [`${prefix}/forgot-password`, "@theme/ForgotPassword", true],
          [`${prefix}/reset-password`, "@theme/ResetPassword", true],
          [`${prefix}/verify-email`, "@theme/VerifyEmail", true],
        ],
      );
    }
  });

  it("hands the browser only what it needs", async () => {
    const { plugin, actions, globalData } = load("/");
    await plugin.allContentLoaded!({ allContent: {}, actions: actions as never });
    assert.deepEqual(Object.keys(globalData() as object).sort(), ["authBaseUrl", "onboardingPath", "pageTitles", "protectedRoutes", "publicRoutes"]);
  });

  it("knows the titles of protected docs only, by permalink without a trailing slash", () => {
    const docs = (permalinks: [string, string][]) => ({
      "docusaurus-plugin-content-docs": { default: { loadedVersions: [{ docs: permalinks.map(([permalink, title]) => ({ permalink, title })) }] } },
    });
    const titles = protectedPageTitles(
      docs([
        ["/textbook/docs/data/", "Lists and dictionaries"],
        ["/textbook/docs/intro", "Introduction"],
        ["/textbook/blog/post", "Not a doc page"],
      ]),
      { protectedRoutes: ["/docs/**"], publicRoutes: ["/docs/intro"] },
      "/textbook/",
    );
    assert.deepEqual(titles, { "/textbook/docs/data": "Lists and dictionaries" });
  });

  it("has a theme folder with every page component", () => {
    const { plugin } = load("/");
    const dir = plugin.getThemePath!();
    for (const c of ["Root", "ProtectedRoute", "SignIn", "SignUp", "Onboarding", "Account", "ForgotPassword", "ResetPassword", "VerifyEmail", "AccountSection", "SessionList", "ForProficiency", "ForRole"]) {
      assert.ok(existsSync(path.join(dir, c, "index.tsx")), c);
    }
    assert.equal(plugin.getTypeScriptThemePath!(), dir);
  });
});
