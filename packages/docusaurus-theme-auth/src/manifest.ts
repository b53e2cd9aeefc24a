/**
 * The protection manifest: the contract between the theme's build step (which writes it) and whatever serves the
 * site (the product's Node server reads it; a static host's rules can be generated from it).
 *
 * `protected-manifest.json`, at the root of the build folder, lists every file that carries content of protected
 * pages only (the pages' HTML, their JavaScript and CSS chunks, files those chunks emit such as images, source
 * maps) with the level a reader needs, and every route's level. Paths are relative to the build folder, with "/"
 * separators, exactly as emitted; a server maps them under the URL the folder is served at. The manifest holds
 * routes and file names only, never page text, so it may be served like any public file.
 */
import { isAccessLevel, type AccessLevel } from "./client/routes.js";

export { meets, type AccessLevel } from "./client/routes.js";
export { withRedirect } from "./client/redirect.js";

export const MANIFEST_FILE = "protected-manifest.json";
export const MANIFEST_VERSION = 1;

export type ProtectedLevel = Exclude<AccessLevel, "public">;

export interface ProtectedFile {
  /** The least a reader needs to receive the file: the least strict level of the routes that load it. */
  access: ProtectedLevel;
  /** The routes that load it (for a page's HTML, the page itself). */
  routes: string[];
  /** A page's HTML: a reader who may not open it is redirected (sign-in or onboarding), not answered 401/403. */
  page?: true;
}

export interface ProtectedManifest {
  version: typeof MANIFEST_VERSION;
  /** The site's baseUrl when it was built. */
  baseUrl: string;
  /** Where a reader who may not open a page is sent, with `?redirect=` back; paths with baseUrl. */
  signIn: string;
  onboarding: string;
  /** Every route of the build and its level. */
  routes: Record<string, AccessLevel>;
  /** Protected files by path relative to the build folder. A file absent from here is public. */
  files: Record<string, ProtectedFile>;
  /** What the build's leak check read: how many public files, how many protected passages it looked for. */
  leakCheck: { filesChecked: number; passages: number };
}

/** Checks a parsed manifest's shape; throws naming what is wrong, so a server never runs on a half-read file. */
export function parseManifest(value: unknown): ProtectedManifest {
  const fail = (why: string): never => {
    throw new Error(`${MANIFEST_FILE}: ${why}`);
  };
  if (typeof value !== "object" || value === null) fail("not a JSON object");
  const m = value as Partial<ProtectedManifest>;
  if (m.version !== MANIFEST_VERSION) fail(`version ${String(m.version)} is not ${MANIFEST_VERSION}; rebuild the site with this theme`);
  for (const key of ["baseUrl", "signIn", "onboarding"] as const) {
    if (typeof m[key] !== "string" || !m[key]!.startsWith("/")) fail(`"${key}" must be a path`);
  }
  if (typeof m.routes !== "object" || m.routes === null) fail('"routes" is missing');
  for (const [route, level] of Object.entries(m.routes!)) if (!isAccessLevel(level)) fail(`route ${route} has level ${String(level)}`);
  if (typeof m.files !== "object" || m.files === null) fail('"files" is missing');
  for (const [file, entry] of Object.entries(m.files!)) {
    if (!entry || !isAccessLevel(entry.access) || (entry.access as string) === "public") fail(`file ${file} has no protected level`);
    if (file.startsWith("/") || file.includes("\\") || file.split("/").some((s) => s === "" || s === "." || s === "..")) {
      fail(`file ${file} is not a plain relative path`);
    }
  }
  return m as ProtectedManifest;
}
