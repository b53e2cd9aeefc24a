/**
 * The protected-content gate: the built site's protected files (listed by the theme's build in
 * `protected-manifest.json`) reach only readers whose level meets the file's. In front of serveStatic.
 *
 *   protected page's HTML, reader below its level  → 302 to sign-in (no session) or onboarding (incomplete
 *                                                     profile), with ?redirect= back to the page
 *   any other protected file, reader below         → 401 UNAUTHENTICATED / 403 PROFILE_INCOMPLETE, no content
 *   reader at or above the level                   → the file, with Cache-Control: private (no shared cache keeps it)
 *
 * A request is matched to a file the way serveStatic resolves it (the decoded path; a folder means its index.html),
 * compared without case so a case-insensitive file system cannot serve a protected file under another spelling.
 * Requests for other files cost one Map lookup; the session is read only for protected files. A rebuilt site is
 * picked up within a second (the manifests are checked for changes at most once a second); while `docusaurus build`
 * rewrites the folder in place the new files are not yet listed, so build elsewhere and swap folders, or restart.
 */
import type { MiddlewareHandler } from "hono";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  MANIFEST_FILE,
  meets,
  parseManifest,
  withRedirect,
  type ProtectedFile,
  type ProtectedManifest,
} from "@textbook-auth/docusaurus-theme/manifest";
import type { ReaderLevel } from "../auth/reader-access";
import { errorResponse } from "./errors";

interface Entry extends ProtectedFile {
  manifest: ProtectedManifest;
}

/** Protected files by lowercased path relative to the served folder; a page's folder maps to its index.html. */
export type ProtectedFiles = Map<string, Entry> & { manifests?: string[] };

/**
 * Reads every manifest in the served folder: at its root, and below it where a site built for a baseUrl (or a
 * locale) sits in a subfolder (`<siteDir>/textbook/` for baseUrl "/textbook/"). Paths are keyed from `siteDir`.
 */
export function loadProtectedFiles(siteDir: string, depth = 3): ProtectedFiles {
  const files: ProtectedFiles = new Map();
  files.manifests = [];
  const visit = (dir: string, level: number) => {
    const manifestPath = path.join(dir, MANIFEST_FILE);
    if (existsSync(manifestPath)) {
      files.manifests!.push(manifestPath);
      const manifest = parseManifest(JSON.parse(readFileSync(manifestPath, "utf8")));
      const prefix = path.relative(siteDir, dir).split(path.sep).filter(Boolean).join("/");
      for (const [file, entry] of Object.entries(manifest.files)) {
        const key = (prefix ? `${prefix}/${file}` : file).toLowerCase();
        files.set(key, { ...entry, manifest });
        if (entry.page && key.endsWith("/index.html")) files.set(key.slice(0, -"/index.html".length), { ...entry, manifest });
        if (entry.page && key === "index.html") files.set("", { ...entry, manifest });
      }
    }
    if (level >= depth) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== "assets" && !e.name.startsWith(".")) visit(path.join(dir, e.name), level + 1);
    }
  };
  if (existsSync(siteDir)) visit(siteDir, 0);
  return files;
}

/** The manifests' state: which exist, and when each was written. */
function signature(siteDir: string, manifests: readonly string[]): string {
  return [path.join(siteDir, MANIFEST_FILE), ...manifests].map((p) => `${p}:${statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? "-"}`).join("|");
}

/** The protected files of `siteDir`, read again when a manifest appears, changes or goes (checked once a second). */
export function liveProtectedFiles(siteDir: string, intervalMs = 1000): () => ProtectedFiles {
  let files = loadProtectedFiles(siteDir);
  let seen = signature(siteDir, files.manifests!);
  let checked = Date.now();
  if (!files.manifests!.length && existsSync(path.join(siteDir, "index.html"))) {
    console.warn(`${siteDir} has no ${MANIFEST_FILE}: every file of the site is public. Build it with the theme.`);
  }
  return () => {
    if (Date.now() - checked >= intervalMs) {
      checked = Date.now();
      const now = signature(siteDir, files.manifests!);
      if (now !== seen) {
        try {
          files = loadProtectedFiles(siteDir);
          seen = signature(siteDir, files.manifests!);
        } catch (error) {
          // A manifest caught half-written: keep the rules in force and try again at the next check.
          console.error(error);
        }
      }
    }
    return files;
  };
}

function decodePath(p: string): string {
  try {
    return decodeURI(p);
  } catch {
    return p;
  }
}

/** The served-folder-relative key of the file a request path names, as serveStatic would resolve it. */
export function fileKey(requestPath: string): string {
  return decodePath(requestPath)
    .replace(/[/\\]+/g, "/")
    .replace(/^\/+|\/+$/g, "")
    .toLowerCase();
}

const NO_STORE = { "cache-control": "no-store", vary: "Cookie" };

export function protectedContent(protectedFiles: () => ProtectedFiles, readerLevel: ReaderLevel): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const files = protectedFiles();
    if (files.size === 0) return next();
    const entry = files.get(fileKey(c.req.path));
    if (!entry) return next();
    let have;
    try {
      have = await readerLevel(c.req.header("cookie"));
    } catch (error) {
      console.error(error);
      return errorResponse("AUTH_UNAVAILABLE", undefined, NO_STORE);
    }
    if (!meets(have, entry.access)) {
      if (entry.page) {
        const url = new URL(c.req.url);
        const to = have === "public" ? entry.manifest.signIn : entry.manifest.onboarding;
        return new Response(null, { status: 302, headers: { location: withRedirect(to, url.pathname + url.search), ...NO_STORE } });
      }
      return errorResponse(have === "public" ? "UNAUTHENTICATED" : "PROFILE_INCOMPLETE", undefined, NO_STORE);
    }
    await next();
    // Whatever answered (the file, or a 404 for a file the build no longer has): never for a shared cache.
    c.res.headers.set("cache-control", "private, no-cache");
    c.res.headers.append("vary", "Cookie");
  };
}
