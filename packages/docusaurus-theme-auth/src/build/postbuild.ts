/**
 * The theme's postBuild: works out what to protect (protection.ts), checks that no file a reader can get carries
 * text of a page that reader may not open (leaks.ts), and writes the manifest the server enforces (../manifest.ts).
 * A leak fails the build, and then no manifest is written.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RouteConfig } from "@docusaurus/types";
import type { AccessLevel } from "../client/routes.js";
import { MANIFEST_FILE, MANIFEST_VERSION, type ProtectedManifest } from "../manifest.js";
import type { ChunkGraph } from "./chunk-graph.js";
import { describeLeaks, findLeaks, type Passage } from "./leaks.js";
import { planProtection } from "./protection.js";
import { normalize, passagesOfFiles } from "./text.js";

export interface PostBuildInput {
  siteDir: string;
  outDir: string;
  generatedFilesDir: string;
  baseUrl: string;
  trailingSlash: boolean | undefined;
  routes: readonly RouteConfig[];
  graph: ChunkGraph | null;
  accessOf: (routePath: string) => AccessLevel;
  /** Names a page goes by where it is linked (sidebar, pagination): not protected text. */
  titlesOf: (routePath: string) => readonly string[];
  signIn: string;
  onboarding: string;
}

/** Docusaurus' own mapping from a route to the HTML file it writes (ssgUtils' pathnameToFilename). */
export function htmlFileOf(routePath: string, baseUrl: string, trailingSlash: boolean | undefined): string {
  const base = baseUrl === "/" ? routePath : routePath.replace(new RegExp(`^${baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), "/");
  const name = base.replace(/^[/\\]/, "");
  if (/\.html?$/i.test(name)) return name;
  if (trailingSlash === undefined || name === "" || name.endsWith("/") || trailingSlash) return path.posix.join(name, "index.html");
  return `${name}.html`;
}

/** "@site/docs/a.mdx" → the file; theme, package and core modules → null (they are code, not a page's text). */
export function moduleResolver(siteDir: string, generatedFilesDir: string): (request: string) => string | null {
  return (request) => {
    const clean = request.split("?")[0]!;
    if (clean.startsWith("@site/")) return path.join(siteDir, clean.slice("@site/".length));
    if (clean.startsWith("@generated/")) return path.join(generatedFilesDir, clean.slice("@generated/".length));
    if (path.isAbsolute(clean)) return clean;
    return null;
  };
}

/** Sources whose text counts: the site's own files (and Docusaurus' generated data), never installed packages. */
function isSiteSource(file: string, siteDir: string): boolean {
  const rel = path.relative(siteDir, file);
  return !rel.startsWith("..") && !path.isAbsolute(rel) && !rel.split(path.sep).includes("node_modules");
}

export async function protectBuild(input: PostBuildInput): Promise<ProtectedManifest> {
  if (!input.graph) {
    throw new Error("docusaurus-theme-auth: the client bundle's chunk graph was not recorded, so what to protect is unknown.");
  }
  const routesChunkNames = JSON.parse(await readFile(path.join(input.generatedFilesDir, "routesChunkNames.json"), "utf8"));
  const plan = planProtection({
    routes: input.routes,
    routesChunkNames,
    graph: input.graph,
    accessOf: input.accessOf,
    htmlFile: (route) => {
      const file = htmlFileOf(route, input.baseUrl, input.trailingSlash);
      return existsSync(path.join(input.outDir, file)) ? file : null;
    },
    resolveModule: moduleResolver(input.siteDir, input.generatedFilesDir),
  });
  // Source maps are written beside their file: a protected chunk's map is as protected as the chunk.
  for (const [file, entry] of Object.entries(plan.files)) {
    if (!entry.page && existsSync(path.join(input.outDir, `${file}.map`))) plan.files[`${file}.map`] ??= { ...entry };
  }

  const siteSources = (files: Iterable<string>) => [...files].filter((f) => isSiteSource(f, input.siteDir) && existsSync(f));
  const text = await passagesOfFiles(siteSources([...plan.publicSources, ...[...plan.protectedSources.values()].flat()]));
  // What the author wrote for public pages is public; what Docusaurus generated from it is not evidence (the
  // version data every docs page loads holds every doc's excerpt: the leak to find, not an excuse for it).
  const authored = (f: string) => path.relative(input.generatedFilesDir, f).startsWith("..");
  const publicText = new Set(siteSources(plan.publicSources).filter(authored).flatMap((f) => text.get(f) ?? []));
  const passages: Passage[] = [];
  for (const [route, sources] of plan.protectedSources) {
    const titles = new Set(input.titlesOf(route).map(normalize));
    const own = new Set(siteSources(sources).flatMap((f) => text.get(f) ?? []));
    for (const t of own) if (!publicText.has(t) && !titles.has(t)) passages.push({ route, level: plan.routes[route]!, text: t });
  }
  const { leaks, filesChecked } = await findLeaks(
    input.outDir,
    passages,
    (file) => plan.files[file]?.access ?? "public",
    (file) => file === MANIFEST_FILE,
  );
  if (leaks.length) throw new Error(describeLeaks(leaks));

  const manifest: ProtectedManifest = {
    version: MANIFEST_VERSION,
    baseUrl: input.baseUrl,
    signIn: input.signIn,
    onboarding: input.onboarding,
    routes: plan.routes,
    files: Object.fromEntries(Object.entries(plan.files).sort(([a], [b]) => a.localeCompare(b))),
    leakCheck: { filesChecked, passages: passages.length },
  };
  await writeFile(path.join(input.outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
