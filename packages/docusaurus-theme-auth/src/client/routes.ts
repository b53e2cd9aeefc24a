/**
 * Which pages need a reader. Globs are relative to the site's baseUrl: `*` matches within one path segment,
 * `**` across segments, and "/docs/**" also matches "/docs" itself. A public glob wins over a protected one.
 * Trailing slashes are ignored so the answer does not change with Docusaurus' `trailingSlash` setting.
 */

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      // "/**" at a segment boundary may also match nothing, so "/docs/**" covers "/docs".
      if (source.endsWith("/") && (i + 2 === glob.length || glob[i + 2] === "/")) {
        source = source.slice(0, -1) + "(?:/.*)?";
        i += glob[i + 2] === "/" ? 2 : 1;
        if (glob[i] === "/") source += "/";
      } else {
        source += ".*";
        i++;
      }
    } else if (c === "*") source += "[^/]*";
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

/** "/docs/intro/" → "/docs/intro"; "/" stays "/". */
function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

/** The path relative to the site: "/textbook/docs/a" with baseUrl "/textbook/" → "/docs/a"; null when outside it. */
export function stripBaseUrl(pathname: string, baseUrl: string): string | null {
  const base = normalizePath(baseUrl);
  if (base === "/") return pathname;
  if (pathname === base) return "/";
  if (pathname.startsWith(base + "/")) return pathname.slice(base.length);
  return null;
}

export interface RouteRules {
  protectedRoutes: readonly string[];
  publicRoutes: readonly string[];
}

/**
 * Who may open a page. `complete-profile` is what a `protectedRoutes` glob means; a page's front matter
 * (`access: ...`) overrides the globs either way. The build, the Node server and the browser gate all read a
 * page's level from this one rule.
 */
export type AccessLevel = "public" | "signed-in" | "complete-profile";
export const ACCESS_LEVELS: readonly AccessLevel[] = ["public", "signed-in", "complete-profile"];

export function isAccessLevel(value: unknown): value is AccessLevel {
  return typeof value === "string" && (ACCESS_LEVELS as readonly string[]).includes(value);
}

/** The less strict of two levels: a file two pages share is readable by whoever may read either page. */
export function leastStrict(a: AccessLevel, b: AccessLevel): AccessLevel {
  return ACCESS_LEVELS.indexOf(a) <= ACCESS_LEVELS.indexOf(b) ? a : b;
}

/** Whether a reader at `have` may read a page at `need` (levels are ordered public < signed-in < complete-profile). */
export function meets(have: AccessLevel, need: AccessLevel): boolean {
  return ACCESS_LEVELS.indexOf(have) >= ACCESS_LEVELS.indexOf(need);
}

export interface AccessRules extends RouteRules {
  /** Pages whose front matter sets `access`, by permalink (with baseUrl): they win over the globs. */
  pageAccess?: Readonly<Record<string, AccessLevel>>;
  /** Paths (relative to baseUrl) that are public whatever the globs and front matter say: the theme's own pages. */
  alwaysPublic?: readonly string[];
}

/** The key a pathname is looked up by: decoded, without baseUrl's trailing slash differences or doubled slashes. */
function pageKey(pathname: string): string {
  let decoded = pathname;
  try {
    // Encoded and plain spellings of one path must get one answer ("/docs/%61" is "/docs/a").
    decoded = decodeURI(pathname);
  } catch {
    // A malformed escape cannot name a real page; match the raw text.
  }
  return normalizePath(decoded.replace(/\/{2,}/g, "/"));
}

/** Builds the rule once per option set: the access level of a full pathname (with baseUrl). */
export function createAccessRule(rules: AccessRules, baseUrl = "/"): (pathname: string) => AccessLevel {
  const protectedRes = rules.protectedRoutes.map((g) => globToRegExp(normalizePath(g)));
  const publicRes = rules.publicRoutes.map((g) => globToRegExp(normalizePath(g)));
  const alwaysPublic = new Set((rules.alwaysPublic ?? []).map(normalizePath));
  const pages = new Map(Object.entries(rules.pageAccess ?? {}).map(([p, level]) => [pageKey(p), level]));
  return (pathname) => {
    const key = pageKey(pathname);
    const relative = stripBaseUrl(key, baseUrl);
    if (relative === null) return "public";
    const path = normalizePath(relative);
    if (alwaysPublic.has(path)) return "public";
    const page = pages.get(key);
    if (page) return page;
    if (publicRes.some((re) => re.test(path))) return "public";
    return protectedRes.some((re) => re.test(path)) ? "complete-profile" : "public";
  };
}

/** Builds a predicate once per option set: is this full pathname (with baseUrl) a protected page? */
export function createRouteMatcher(rules: RouteRules, baseUrl = "/"): (pathname: string) => boolean {
  const accessOf = createAccessRule(rules, baseUrl);
  return (pathname) => accessOf(pathname) !== "public";
}
