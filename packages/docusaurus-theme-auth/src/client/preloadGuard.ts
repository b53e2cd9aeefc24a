/**
 * Docusaurus prefetches a route's chunks when a link scrolls into view and preloads them when it is hovered, through
 * `window.docusaurus`. The Node server answers a protected route's chunks with 401/403 to a reader who may not read
 * it, so such a load fails: an unhandled rejection in the console and, worse, react-loadable remembers the failure,
 * so the route would not open even after the reader signs in or completes onboarding (Docusaurus then reloads the
 * page). The guard skips those loads until the session says the reader may read the route. Navigation itself never
 * loads them for such a reader: Root's gate replaces the app before Docusaurus' PendingNavigation sees the location.
 */
import { useLayoutEffect, useEffect, useRef } from "react";
import { levelOf, type AuthStatus } from "./access.js";
import { meets, type AccessLevel } from "./routes.js";

type Load = (routePath: string) => false | Promise<unknown>;
interface DocusaurusGlobal {
  prefetch: Load;
  preload: Load;
}

/** Whether a reader in `status` may load the chunks of a page at `need`; never on a guess. */
export function mayLoad(status: AuthStatus, need: AccessLevel): boolean {
  if (need === "public") return true;
  const have = levelOf(status);
  return have !== null && meets(have, need);
}

/**
 * Wraps `window.docusaurus` (a frozen object Docusaurus mounts before rendering) so that `prefetch` and `preload`
 * of a route the reader may not load do nothing. Returns the undo. A permitted load that still fails (the session
 * ended meanwhile) is caught here: navigating there handles it.
 */
export function installPreloadGuard(allowed: (pathname: string) => boolean): () => void {
  const w = window as unknown as { docusaurus?: DocusaurusGlobal };
  const original = w.docusaurus;
  if (!original) return () => {};
  const guard =
    (load: Load): Load =>
    (routePath) => {
      if (!allowed(routePath.replace(/[?#].*$/, ""))) return false;
      const result = load(routePath);
      if (result) result.catch(() => {});
      return result;
    };
  const guarded: DocusaurusGlobal = Object.freeze({ ...original, prefetch: guard(original.prefetch), preload: guard(original.preload) });
  w.docusaurus = guarded;
  return () => {
    if (w.docusaurus === guarded) w.docusaurus = original;
  };
}

// Layout effect in the browser: it runs in the commit that mounts the links, before any IntersectionObserver
// callback (always asynchronous) can prefetch. On the server, where there is nothing to guard, a no-op.
const useCommitEffect = typeof window !== "undefined" ? useLayoutEffect : useEffect;

/** Installs the guard for the lifetime of the component, reading the latest session status on every call. */
export function usePreloadGuard(status: AuthStatus, accessOf: (pathname: string) => AccessLevel): void {
  const latest = useRef({ status, accessOf });
  latest.current = { status, accessOf };
  useCommitEffect(() => installPreloadGuard((p) => mayLoad(latest.current.status, latest.current.accessOf(p))), []);
}
