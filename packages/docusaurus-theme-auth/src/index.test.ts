import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import type { LoadContext } from "@docusaurus/types";
import themeAuth, { validateOptions } from "./index";
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

  it("adds the four pages under baseUrl, each pointing at a swizzlable @theme component", async () => {
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
        ],
      );
    }
  });

  it("hands the browser only what it needs", async () => {
    const { plugin, actions, globalData } = load("/");
    await plugin.contentLoaded!({ content: undefined, actions: actions as never });
    assert.deepEqual(Object.keys(globalData() as object).sort(), ["authBaseUrl", "onboardingPath", "protectedRoutes", "publicRoutes"]);
  });

  it("has a theme folder with every page component", () => {
    const { plugin } = load("/");
    const dir = plugin.getThemePath!();
    for (const c of ["Root", "ProtectedRoute", "SignIn", "SignUp", "Onboarding", "Account", "ForProficiency", "ForRole"]) {
      assert.ok(existsSync(path.join(dir, c, "index.tsx")), c);
    }
    assert.equal(plugin.getTypeScriptThemePath!(), dir);
  });
});
