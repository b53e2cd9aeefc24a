/**
 * Node entry of the theme: validated options, the theme components' folder, the global data the browser reads,
 * and the pages. Pages point at `@theme/...` components so a site can swizzle any of them.
 * At build time it also keeps protected text on the server: it records the client bundle's chunk graph, removes
 * protected pages' excerpts from the data every docs page loads, and after the build writes the manifest of
 * protected files the Node server enforces, failing the build if any file a reader can get carries text of a page
 * that reader may not open (see src/build/).
 * Published as compiled JavaScript (`lib/`): Docusaurus transpiles no TypeScript from node_modules. `src/` ships too,
 * for `docusaurus swizzle --typescript` (getTypeScriptThemePath).
 */
/// <reference path="./theme-auth.d.ts" preserve="true" />
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadContext, Plugin, SwizzleConfig } from "@docusaurus/types";
import type { PluginOptions } from "./options.js";
import { PLUGIN_NAME, clientOptionsOf } from "./client/plugin.js";
import { createAccessRule, type AccessLevel } from "./client/routes.js";
import { THEME_PAGES, themePageRoutes, themePagePaths, themePaths } from "./client/paths.js";
import { ChunkGraphRecorder } from "./build/chunk-graph.js";
import { collectPages, pageAccessMap, type PageInfo } from "./build/pages.js";
import { protectBuild } from "./build/postbuild.js";

export { validateOptions, DEFAULT_OPTIONS, type Options, type PluginOptions } from "./options.js";
export { MANIFEST_FILE, parseManifest, type ProtectedManifest, type ProtectedFile } from "./manifest.js";

/** "/docs/a/" → "/docs/a"; "/" stays "/". */
const withoutSlash = (permalink: string) => permalink.replace(/(.)\/$/, "$1");

/** The pages this theme adds, relative to baseUrl, and the component each one renders. */
export function themeRoutes(options: Pick<PluginOptions, "onboardingPath">): { path: string; component: string }[] {
  return themePageRoutes(options.onboardingPath).map(({ path, component }) => ({ path, component }));
}

/**
 * The title of each page a visitor may not open, by permalink without a trailing slash, so /sign-in can say what
 * the reader came for ("Sign in to read Lists and dictionaries"). Only what the page is called where it is linked
 * (the sidebar shows it to every visitor, and the build's leak check does not count titles as protected text).
 */
export function pageTitlesOf(pages: readonly PageInfo[], accessOf: (permalink: string) => AccessLevel): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const page of pages) {
    const title = page.titles[0];
    if (title && accessOf(page.permalink) !== "public") titles[withoutSlash(page.permalink)] = title;
  }
  return titles;
}

// lib/ when installed (and in this repository's workspace), src/ when the tests load this file directly.
const here = path.dirname(fileURLToPath(import.meta.url));
// Swizzling with --typescript copies from src/theme, which the package ships beside lib/.
const typeScriptThemePath = path.join(here, "..", "src", "theme");

export default function themeAuth(context: LoadContext, options: PluginOptions): Plugin<void> {
  const themePath = path.join(here, "theme");
  const { baseUrl, trailingSlash } = context.siteConfig;
  const base = baseUrl.replace(/\/$/, "");
  const recorder = new ChunkGraphRecorder();
  // Excerpts of protected pages, read by build/redact-loader.cjs; a file, so a content reload in dev is seen.
  const redactFile = path.join(context.generatedFilesDir, PLUGIN_NAME, "protected-descriptions.json");
  const ruleFor = (pageAccess: Record<string, AccessLevel>) =>
    createAccessRule({ ...options, pageAccess, alwaysPublic: themePagePaths(options.onboardingPath) }, baseUrl);
  let accessOf = ruleFor({});
  let titles = new Map<string, string[]>();
  return {
    name: PLUGIN_NAME,
    getThemePath: () => themePath,
    getTypeScriptThemePath: () => typeScriptThemePath,
    async contentLoaded({ actions }) {
      for (const route of themeRoutes(options)) {
        // Docusaurus applies the site's trailingSlash setting to added routes.
        actions.addRoute({ path: base + route.path, component: route.component, exact: true });
      }
    },
    // Every plugin's content is loaded by now: pages' front matter decides their level, for the browser's gate
    // (global data) and the server's manifest (postBuild) alike.
    async allContentLoaded({ allContent, actions }) {
      const pages = collectPages(allContent);
      const pageAccess = pageAccessMap(pages);
      accessOf = ruleFor(pageAccess);
      titles = new Map(pages.map((p) => [withoutSlash(p.permalink), p.titles]));
      const clientOptions = clientOptionsOf(options, { pageAccess, pageTitles: pageTitlesOf(pages, accessOf) });
      actions.setGlobalData(clientOptions);
      const excerpts = pages.filter((p) => p.description && accessOf(p.permalink) !== "public").map((p) => p.description!);
      mkdirSync(path.dirname(redactFile), { recursive: true });
      writeFileSync(redactFile, JSON.stringify([...new Set(excerpts)]));
    },
    configureWebpack(_config, isServer) {
      return {
        module: {
          rules: [
            {
              test: /\.json$/i,
              include: [context.generatedFilesDir],
              use: [{ loader: path.join(here, "build", "redact-loader.cjs"), options: { file: redactFile } }],
            },
          ],
        },
        plugins: isServer ? [] : [recorder.plugin() as never],
      };
    },
    async postBuild({ routes, outDir, siteDir, generatedFilesDir }) {
      const paths = themePaths(baseUrl, trailingSlash, options.onboardingPath);
      await protectBuild({
        siteDir,
        outDir,
        generatedFilesDir,
        baseUrl,
        trailingSlash,
        routes,
        graph: recorder.graph,
        accessOf: (route: string): AccessLevel => accessOf(route),
        titlesOf: (route: string) => titles.get(withoutSlash(route)) ?? [],
        signIn: paths.signIn,
        onboarding: paths.onboarding,
      });
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
  const pages = Object.values(THEME_PAGES).map((page) => [page.component.replace("@theme/", ""), { ...safe, description: page.description }]);
  return {
    components: {
      ...Object.fromEntries(pages),
      AccountSection: { ...safe, description: "One titled section of the account page" },
      SessionList: { ...safe, description: "The account page's list of the reader's sessions" },
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
