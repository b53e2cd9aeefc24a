/**
 * Pages' own access rules, read from the loaded content of every plugin: any object with a `permalink` and a
 * `frontMatter` (docs, blog posts and MDX pages of the official plugins, and plugins that follow their shape) is a
 * page, and its front matter may say `access: public | signed-in | complete-profile`.
 */
import { ACCESS_LEVELS, isAccessLevel, type AccessLevel } from "../client/routes.js";

export interface PageInfo {
  permalink: string;
  access?: AccessLevel;
  /** What the page is called where it is linked (sidebar, pagination): not protected text. */
  titles: string[];
  /** The excerpt Docusaurus derives (or the front matter's `description`). */
  description?: string;
  source?: string;
}

export function collectPages(allContent: unknown): PageInfo[] {
  const pages: PageInfo[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, depth: number) => {
    if (!value || typeof value !== "object" || seen.has(value) || depth > 12) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const v of value) walk(v, depth + 1);
      return;
    }
    const o = value as Record<string, unknown>;
    if (typeof o.permalink === "string" && o.frontMatter && typeof o.frontMatter === "object") {
      const fm = o.frontMatter as Record<string, unknown>;
      const source = typeof o.source === "string" ? o.source : undefined;
      if (fm.access !== undefined && !isAccessLevel(fm.access)) {
        throw new Error(
          `${source ?? o.permalink}: front matter "access" must be one of ${ACCESS_LEVELS.join(", ")} (got ${JSON.stringify(fm.access)})`,
        );
      }
      const titles = [o.title, fm.title, fm.sidebar_label, fm.pagination_label].filter((t): t is string => typeof t === "string");
      pages.push({
        permalink: o.permalink,
        access: fm.access as AccessLevel | undefined,
        titles,
        description: typeof o.description === "string" ? o.description : undefined,
        source,
      });
      return;
    }
    for (const v of Object.values(o)) walk(v, depth + 1);
  };
  walk(allContent, 0);
  return pages;
}

/** Permalink → level, for pages whose front matter sets one. Two pages at one permalink must agree. */
export function pageAccessMap(pages: readonly PageInfo[]): Record<string, AccessLevel> {
  const map: Record<string, AccessLevel> = {};
  for (const p of pages) {
    if (!p.access) continue;
    if (map[p.permalink] && map[p.permalink] !== p.access) {
      throw new Error(`${p.permalink}: two pages at this permalink disagree on front matter "access"`);
    }
    map[p.permalink] = p.access;
  }
  return map;
}
