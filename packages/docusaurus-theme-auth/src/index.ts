/**
 * Node entry of the theme: validated options, the theme components' folder, the global data the browser reads,
 * and the four pages. Pages point at `@theme/...` components so a site can swizzle any of them.
 * Docusaurus loads this file with jiti and bundles `src/theme` with its own loaders, so the package ships its
 * TypeScript sources and needs no build step.
 */
/// <reference path="./theme-auth.d.ts" />
import path from "node:path";
import type { LoadContext, Plugin } from "@docusaurus/types";
import type { PluginOptions } from "./options";
import type { ClientOptions } from "./client/context";

export { validateOptions, DEFAULT_OPTIONS, type Options, type PluginOptions } from "./options";

/** The pages this theme adds, relative to baseUrl, and the component each one renders. */
export function themeRoutes(options: Pick<PluginOptions, "onboardingPath">): { path: string; component: string }[] {
  return [
    { path: "/sign-in", component: "@theme/SignIn" },
    { path: "/sign-up", component: "@theme/SignUp" },
    { path: options.onboardingPath, component: "@theme/Onboarding" },
    { path: "/account", component: "@theme/Account" },
  ];
}

export default function themeAuth(context: LoadContext, options: PluginOptions): Plugin<void> {
  const themePath = path.join(__dirname, "theme");
  const base = context.siteConfig.baseUrl.replace(/\/$/, "");
  return {
    name: "docusaurus-theme-auth",
    getThemePath: () => themePath,
    getTypeScriptThemePath: () => themePath,
    async contentLoaded({ actions }) {
      const clientOptions: ClientOptions = {
        authBaseUrl: options.authBaseUrl,
        protectedRoutes: options.protectedRoutes,
        publicRoutes: options.publicRoutes,
        onboardingPath: options.onboardingPath,
      };
      actions.setGlobalData(clientOptions);
      for (const route of themeRoutes(options)) {
        // Docusaurus applies the site's trailingSlash setting to added routes.
        actions.addRoute({ path: base + route.path, component: route.component, exact: true });
      }
    },
  };
}
