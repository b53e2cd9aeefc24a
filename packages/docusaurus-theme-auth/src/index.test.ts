import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoadContext } from "@docusaurus/types";
import { normalizePluginOptions } from "@docusaurus/utils-validation";
import themeAuth, { getSwizzleConfig, pageTitlesOf, themeRoutes, validateOptions, type Options } from "./index";
import type { AccessLevel } from "./client/routes";
import { DEFAULT_OPTIONS } from "./options";

function load(baseUrl: string) {
  const generatedFilesDir = mkdtempSync(path.join(os.tmpdir(), "theme-auth-generated-"));
  const plugin = themeAuth({ siteConfig: { baseUrl }, generatedFilesDir } as LoadContext, { id: "default", ...DEFAULT_OPTIONS });
  const routes: { path: string; component: string; exact?: boolean }[] = [];
  let globalData: unknown;
  const actions = {
    addRoute: (r: (typeof routes)[number]) => routes.push(r),
    setGlobalData: (d: unknown) => (globalData = d),
  };
  return { plugin, routes, actions, globalData: () => globalData };
}

describe("plugin", () => {
  it("the entry's validateOptions, called as Docusaurus calls it, fills defaults and stops a wrong option", () => {
    // Docusaurus validates only through the plugin module's own export; options.test.ts covers the schema itself.
    const validate = (options: Options) => validateOptions({ validate: normalizePluginOptions, options });
    assert.deepEqual(validate({}), { id: "default", ...DEFAULT_OPTIONS });
    assert.throws(() => validate({ onboardingPath: "/sign-in" }), /onboardingPath/);
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

  it("hands the browser only what it needs: the options and the pages' own access rules", async () => {
    const { plugin, actions, globalData } = load("/");
    const allContent = {
      "docusaurus-plugin-content-docs": {
        default: {
          loadedVersions: [
            {
              docs: [
                { permalink: "/docs/open", frontMatter: { access: "public" }, title: "Open", description: "x" },
                { permalink: "/docs/members", frontMatter: { access: "signed-in" }, title: "Members", description: "y" },
                { permalink: "/docs/plain", frontMatter: {}, title: "Plain", description: "z" },
              ],
            },
          ],
        },
      },
    };
    await plugin.allContentLoaded!({ allContent, actions: actions as never });
    assert.deepEqual(Object.keys(globalData() as object).sort(), ["authBaseUrl", "onboardingPath", "pageAccess", "pageTitles", "protectedRoutes", "publicRoutes"]);
    assert.deepEqual((globalData() as { pageAccess: unknown }).pageAccess, { "/docs/open": "public", "/docs/members": "signed-in" });
    // Titles of the pages a visitor may not open, for "Sign in to read <title>": /docs/plain is protected by the glob.
    assert.deepEqual((globalData() as { pageTitles: unknown }).pageTitles, { "/docs/members": "Members", "/docs/plain": "Plain" });
  });

  it("knows the titles of protected pages only, by permalink without a trailing slash", () => {
    const page = (permalink: string, title: string) => ({ permalink, titles: [title] });
    const accessOf = (p: string) => (p.startsWith("/textbook/docs/") && p !== "/textbook/docs/intro" ? "complete-profile" : "public") as AccessLevel;
    const titles = pageTitlesOf([page("/textbook/docs/data/", "Lists and dictionaries"), page("/textbook/docs/intro", "Introduction"), page("/textbook/blog/post", "A post")], accessOf);
    assert.deepEqual(titles, { "/textbook/docs/data": "Lists and dictionaries" });
  });

  it("refuses a front matter access level it does not know, naming the file", async () => {
    const { plugin, actions } = load("/");
    const allContent = { docs: { default: { docs: [{ permalink: "/docs/a", source: "@site/docs/a.md", frontMatter: { access: "members" } }] } } };
    await assert.rejects(async () => plugin.allContentLoaded!({ allContent, actions: actions as never }), /@site\/docs\/a\.md: front matter "access" must be one of public, signed-in, complete-profile/);
  });

  it("every component a page points at, and every one swizzle offers, is in the theme folder", () => {
    // Derived from the plugin's own lists, not a copy of them: a page or swizzle entry whose component is missing
    // (renamed, or never added) fails here rather than in a site's build.
    const { plugin } = load("/");
    const dir = plugin.getThemePath!();
    const components = [
      ...themeRoutes(DEFAULT_OPTIONS).map((r) => r.component.replace(/^@theme\//, "")),
      ...Object.keys(getSwizzleConfig().components),
    ];
    const missing = components.filter((c) => !existsSync(path.join(dir, c, "index.tsx")));
    assert.deepEqual(missing, []);
    assert.equal(plugin.getTypeScriptThemePath!(), dir);
  });
});
