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

/** Builds a predicate once per option set: is this full pathname (with baseUrl) a protected page? */
export function createRouteMatcher(rules: RouteRules, baseUrl = "/"): (pathname: string) => boolean {
  const protectedRes = rules.protectedRoutes.map((g) => globToRegExp(normalizePath(g)));
  const publicRes = rules.publicRoutes.map((g) => globToRegExp(normalizePath(g)));
  return (pathname) => {
    let decoded = pathname;
    try {
      // Encoded and plain spellings of one path must get one answer ("/docs/%61" is "/docs/a").
      decoded = decodeURI(pathname);
    } catch {
      // A malformed escape cannot name a real page; match the raw text.
    }
    const relative = stripBaseUrl(decoded, baseUrl);
    if (relative === null) return false;
    const path = normalizePath(relative.replace(/\/{2,}/g, "/"));
    if (publicRes.some((re) => re.test(path))) return false;
    return protectedRes.some((re) => re.test(path));
  };
}
