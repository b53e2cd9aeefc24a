/**
 * Which emitted files are protected, worked out from Docusaurus' own route data and the bundler's chunk graph:
 *
 *   route (props.routes)  →  its chunk names (routesChunkNames.json, matched by path exactly as Docusaurus'
 *   client does when it preloads a route)  →  the chunk groups of those names and the groups they load on demand
 *   →  the files those groups emit.
 *
 * A file's level is the least strict level of the routes that load it, and the entry point's files are public:
 * so a file shared by a public and a protected page is public (and must not carry protected text: the leak check
 * enforces that), a file only protected pages load is protected. Each protected page's HTML is protected too.
 */
import type { RouteConfig } from "@docusaurus/types";
import type { ChunkGraph } from "./chunk-graph.js";
import { leastStrict, type AccessLevel } from "../client/routes.js";
import type { ProtectedFile, ProtectedLevel } from "../manifest.js";

export interface Leaf {
  path: string;
  /** The matched route configs, outermost first, the leaf last. */
  chain: RouteConfig[];
}

/** The pages of the site: route configs without children, with their ancestors (the layouts that wrap them). */
export function leafRoutes(routes: readonly RouteConfig[], parents: RouteConfig[] = []): Leaf[] {
  return routes.flatMap((r) => (r.routes?.length ? leafRoutes(r.routes, [...parents, r]) : [{ path: r.path, chain: [...parents, r] }]));
}

function strings(value: unknown, out: string[]): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === "object") {
    const path = (value as { path?: unknown }).path;
    if (typeof path === "string" && "__import" in value) out.push(path);
    else for (const v of Object.values(value)) strings(v, out);
  }
  return out;
}

/** Docusaurus' `getChunkNamesToLoad`: every routesChunkNames entry whose key, less its "-hash", is the path. */
function chunkNamesByPath(routesChunkNames: Record<string, unknown>): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const [key, names] of Object.entries(routesChunkNames)) {
    const path = key.replace(/-[^-]+$/, "");
    byPath.set(path, [...(byPath.get(path) ?? []), ...strings(names, [])]);
  }
  return byPath;
}

export interface PlanInput {
  routes: readonly RouteConfig[];
  routesChunkNames: Record<string, unknown>;
  graph: ChunkGraph;
  accessOf: (routePath: string) => AccessLevel;
  /** The HTML file (relative to the build folder) Docusaurus wrote for a route, or null when there is none. */
  htmlFile: (routePath: string) => string | null;
  /** Resolves a route module ("@site/docs/a.mdx") to an absolute path; null for theme and package modules. */
  resolveModule: (request: string) => string | null;
}

export interface Plan {
  routes: Record<string, AccessLevel>;
  files: Record<string, ProtectedFile>;
  /** Per protected route: the source files whose text is that page's own. */
  protectedSources: Map<string, string[]>;
  /** Source files public pages or the entry point load: text found in them is public whatever else says it. */
  publicSources: Set<string>;
  /** Per file: the routes that load it (entry files: none). */
  loadedBy: Map<string, string[]>;
}

export function planProtection(input: PlanInput): Plan {
  const { graph } = input;
  const byName = new Map<string, number>();
  graph.groups.forEach((g, i) => g.name !== null && !g.initial && byName.set(g.name, i));
  const reach = new Map<number, Set<number>>();
  const reachOf = (start: number): Set<number> => {
    const cached = reach.get(start);
    if (cached) return cached;
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length) {
      const i = stack.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      stack.push(...graph.groups[i]!.children);
    }
    reach.set(start, seen);
    return seen;
  };
  const namesByPath = chunkNamesByPath(input.routesChunkNames);

  const routes: Record<string, AccessLevel> = {};
  const fileLevel = new Map<string, AccessLevel>();
  const moduleLevel = new Map<string, AccessLevel>();
  const loadedBy = new Map<string, string[]>();
  const routeModules = new Map<string, Set<string>>();
  const raise = (map: Map<string, AccessLevel>, key: string, level: AccessLevel) =>
    map.set(key, map.has(key) ? leastStrict(map.get(key)!, level) : level);

  for (const g of graph.groups.filter((g) => g.initial)) {
    for (const f of g.files) raise(fileLevel, f, "public");
    for (const m of g.modules) raise(moduleLevel, m, "public");
  }
  const leaves = leafRoutes(input.routes).filter((l) => l.path !== "*");
  const ownModules = new Map<string, string[]>();
  for (const leaf of leaves) {
    const level = input.accessOf(leaf.path);
    routes[leaf.path] = level;
    const groups = new Set<number>();
    for (const path of new Set(leaf.chain.map((r) => r.path))) {
      for (const name of namesByPath.get(path) ?? []) {
        const g = byName.get(name);
        if (g !== undefined) for (const i of reachOf(g)) groups.add(i);
      }
    }
    const modules = new Set<string>();
    for (const i of groups) {
      for (const f of graph.groups[i]!.files) {
        raise(fileLevel, f, level);
        loadedBy.set(f, [...(loadedBy.get(f) ?? []), leaf.path]);
      }
      for (const m of graph.groups[i]!.modules) {
        raise(moduleLevel, m, level);
        modules.add(m);
      }
    }
    routeModules.set(leaf.path, modules);
    const leafConfig = leaf.chain.at(-1)!;
    const own = strings([leafConfig.component, leafConfig.modules ?? {}], [])
      .map(input.resolveModule)
      .filter((p): p is string => p !== null);
    ownModules.set(leaf.path, own);
  }

  const files: Record<string, ProtectedFile> = {};
  for (const [file, level] of fileLevel) {
    if (level === "public") continue;
    files[file] = { access: level as ProtectedLevel, routes: [...new Set(loadedBy.get(file))].sort() };
  }
  // A page's own modules (its route's component and modules, such as the doc's MDX file) are its text even when a
  // public page also bundles them: that is exactly the leak to find. Unless a public route has them as its own too.
  const ownPublic = new Set<string>();
  const ownProtected = new Set<string>();
  for (const leaf of leaves) for (const m of ownModules.get(leaf.path)!) (routes[leaf.path] === "public" ? ownPublic : ownProtected).add(m);
  const publicSources = new Set<string>(ownPublic);
  for (const [m, level] of moduleLevel) if (level === "public" && (!ownProtected.has(m) || ownPublic.has(m))) publicSources.add(m);

  const protectedSources = new Map<string, string[]>();
  for (const leaf of leaves) {
    const level = routes[leaf.path]!;
    if (level === "public") continue;
    const html = input.htmlFile(leaf.path);
    if (html === null) throw new Error(`The HTML of protected route ${leaf.path} was not found in the build; refusing to guess what to protect.`);
    files[html] = { access: level as ProtectedLevel, routes: [leaf.path], page: true };
    const sources = new Set(ownModules.get(leaf.path)!.filter((m) => !ownPublic.has(m)));
    for (const m of routeModules.get(leaf.path)!) if (moduleLevel.get(m) !== "public") sources.add(m);
    protectedSources.set(leaf.path, [...sources].sort());
  }
  return { routes, files, protectedSources, publicSources, loadedBy };
}
