/**
 * The theme's options, validated once when Docusaurus loads the plugin: a wrong value stops the build with a
 * message naming the option, instead of surfacing later as a reader who cannot sign in.
 * Route globs are written relative to the site's `baseUrl` ("/docs/**" means `${baseUrl}docs/**`).
 */
import { createRequire } from "node:module";
import type { OptionValidationContext } from "@docusaurus/types";
import { FIXED_PAGE_PATHS, THEME_PAGES } from "./client/paths.js";
import type { PluginOptions } from "./client/plugin.js";

export type { PluginOptions } from "./client/plugin.js";

// Required, not imported: Node's ES module loader cannot see this CommonJS module's `Joi` export by name, and
// Docusaurus' loader (jiti) has no default export for it; require() gives both the same object.
const { Joi } = createRequire(import.meta.url)("@docusaurus/utils-validation") as typeof import("@docusaurus/utils-validation");

export type Options = Partial<PluginOptions>;

export const DEFAULT_OPTIONS: Omit<PluginOptions, "id"> = {
  authBaseUrl: "/api/auth",
  protectedRoutes: ["/docs/**"],
  publicRoutes: [],
  onboardingPath: THEME_PAGES.onboarding.path,
};

// A site path: one leading slash, never "//" or "/\" (both mean another host to a browser), no scheme, no spaces.
const SITE_PATH = /^\/(?![/\\])[^\s\\?#]*$/;
const ROUTE_GLOB = Joi.string().pattern(SITE_PATH).messages({
  "string.pattern.base": '{#label} must be a path glob starting with a single "/", such as "/docs/**" (got {:#value})',
});

export const OptionsSchema = Joi.object<PluginOptions>({
  authBaseUrl: Joi.alternatives()
    .try(Joi.string().uri({ scheme: ["http", "https"] }), Joi.string().pattern(SITE_PATH))
    .default(DEFAULT_OPTIONS.authBaseUrl)
    .messages({
      "alternatives.match": '"authBaseUrl" must be a path on this site such as "/api/auth" or an http(s) URL (got {:#value})',
    }),
  protectedRoutes: Joi.array().items(ROUTE_GLOB).default(DEFAULT_OPTIONS.protectedRoutes),
  publicRoutes: Joi.array().items(ROUTE_GLOB).default(DEFAULT_OPTIONS.publicRoutes),
  onboardingPath: Joi.string()
    .pattern(SITE_PATH)
    .invalid(...FIXED_PAGE_PATHS)
    .default(DEFAULT_OPTIONS.onboardingPath)
    .messages({
      "string.pattern.base": '"onboardingPath" must be a path starting with a single "/" (got {:#value})',
      "any.invalid": '"onboardingPath" cannot be {:#value}: the theme already serves a page there',
    }),
});

export function validateOptions({ validate, options }: OptionValidationContext<Options, PluginOptions>): PluginOptions {
  return validate(OptionsSchema, options);
}
