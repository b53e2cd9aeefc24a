/**
 * The theme's options, validated once when Docusaurus loads the plugin: a wrong value stops the build with a
 * message naming the option, instead of surfacing later as a reader who cannot sign in.
 * Route globs are written relative to the site's `baseUrl` ("/docs/**" means `${baseUrl}docs/**`).
 */
import { createRequire } from "node:module";
import type { OptionValidationContext } from "@docusaurus/types";

// Required, not imported: Node's ES module loader cannot see this CommonJS module's `Joi` export by name, and
// Docusaurus' loader (jiti) has no default export for it; require() gives both the same object.
const { Joi } = createRequire(import.meta.url)("@docusaurus/utils-validation") as typeof import("@docusaurus/utils-validation");

export interface PluginOptions {
  /** Docusaurus plugin id; only one instance makes sense. Default "default". */
  id: string;
  /**
   * Where Better-Auth answers: a path on the site's origin or an absolute http(s) URL.
   * Default "/api/auth" (same origin, the product's one-origin deployment).
   */
  authBaseUrl: string;
  /** Globs of pages that need a signed-in reader with a complete profile. Default ["/docs/**"]. */
  protectedRoutes: string[];
  /** Globs that stay public even when a protected glob matches them. Default []. */
  publicRoutes: string[];
  /** Where readers with an incomplete profile are sent. Default "/onboarding". */
  onboardingPath: string;
}

export type Options = Partial<PluginOptions>;

export const DEFAULT_OPTIONS: Omit<PluginOptions, "id"> = {
  authBaseUrl: "/api/auth",
  protectedRoutes: ["/docs/**"],
  publicRoutes: [],
  onboardingPath: "/onboarding",
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
    .invalid("/sign-in", "/sign-up", "/account", "/forgot-password", "/reset-password", "/verify-email")
    .default(DEFAULT_OPTIONS.onboardingPath)
    .messages({
      "string.pattern.base": '"onboardingPath" must be a path starting with a single "/" (got {:#value})',
      "any.invalid": '"onboardingPath" cannot be {:#value}: the theme already serves a page there',
    }),
});

export function validateOptions({ validate, options }: OptionValidationContext<Options, PluginOptions>): PluginOptions {
  return validate(OptionsSchema, options);
}
