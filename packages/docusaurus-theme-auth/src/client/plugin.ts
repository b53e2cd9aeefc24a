/**
 * What the plugin's Node half and its browser half share: the plugin's name (the key of its global data), its
 * options, and the part of them the browser receives. Free of Node and Docusaurus imports, so the browser bundle and
 * a swizzled component can import it.
 */
import type { AccessLevel } from "./routes.js";

export const PLUGIN_NAME = "docusaurus-theme-auth";

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

/** The options the browser needs; the rest (the plugin id) stays in Node. */
export const CLIENT_OPTION_KEYS = ["authBaseUrl", "protectedRoutes", "publicRoutes", "onboardingPath"] as const satisfies readonly (keyof PluginOptions)[];

/** What the Node side of the plugin hands to the browser (setGlobalData). */
export type ClientOptions = Pick<PluginOptions, (typeof CLIENT_OPTION_KEYS)[number]> & {
  /** Pages whose front matter says `access: ...`, by permalink; they win over the globs. */
  pageAccess: Record<string, AccessLevel>;
  /** Protected docs' titles by permalink (no trailing slash), for "Sign in to read <title>". */
  pageTitles?: Record<string, string>;
};

export function clientOptionsOf(options: PluginOptions, extra: Omit<ClientOptions, (typeof CLIENT_OPTION_KEYS)[number]>): ClientOptions {
  const picked = Object.fromEntries(CLIENT_OPTION_KEYS.map((key) => [key, options[key]])) as Pick<ClientOptions, (typeof CLIENT_OPTION_KEYS)[number]>;
  return { ...picked, ...extra };
}
