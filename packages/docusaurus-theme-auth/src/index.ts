/**
 * Node entry of the theme: validated options, the theme components' folder, the global data the browser reads,
 * and the four pages. Pages point at `@theme/...` components so a site can swizzle any of them.
 * Docusaurus loads this file with jiti and bundles `src/theme` with its own loaders, so the package ships its
 * TypeScript sources and needs no build step.
 */
/// <reference path="./theme-auth.d.ts" />
import path from "node:path";
import type { LoadContext, Plugin, SwizzleConfig } from "@docusaurus/types";
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

/**
 * What `docusaurus swizzle` may offer. The pages, the placeholder, the form, the navbar item and the blocks are
 * meant to be restyled. Root holds the route gate, so replacing it (eject) can silently drop protection;
 * wrapping it is fine. MDXComponents and ComponentTypes only register the theme's components.
 */
export function getSwizzleConfig(): SwizzleConfig {
  const safe = { actions: { eject: "safe", wrap: "safe" } } as const;
  return {
    components: {
      SignIn: { ...safe, description: "The sign-in page" },
      SignUp: { ...safe, description: "The sign-up page" },
      Onboarding: { ...safe, description: "The onboarding page (the two profile questions)" },
      Account: { ...safe, description: "The account page: profile and sign-out" },
      ProfileForm: { ...safe, description: "The two profile questions, used by Onboarding and Account" },
      SocialSignIn: { ...safe, description: "The sign-in buttons of other providers (GitHub, Google, OpenID), under sign-in and sign-up" },
      AuthField: { ...safe, description: "A labelled input of the sign-in and sign-up forms" },
      FormError: { ...safe, description: "A form's error message (its code in data-error-code)" },
      AuthPlaceholder: { ...safe, description: "What stands in for protected content until the reader may see it" },
      "NavbarItem/AuthNavbarItem": { ...safe, description: "Sign in link, or the reader's menu" },
      ForProficiency: { ...safe, description: "MDX block shown to readers of given Python levels" },
      ForRole: { ...safe, description: "MDX block shown to readers of given roles" },
      ProtectedRoute: { actions: { eject: "unsafe", wrap: "safe" }, description: "Renders children only for a complete reader" },
      Root: { actions: { eject: "unsafe", wrap: "safe" }, description: "Auth provider and the gate for protected routes" },
    },
  };
}
