import { useCallback } from "react";
import useIsBrowser from "@docusaurus/useIsBrowser";
import { useHistory, useLocation } from "@docusaurus/router";
import { useAuth } from "./context.js";
import { redirectFromSearch } from "./redirect.js";

/**
 * Where this page sends the reader when done: the sanitised `?redirect=`, or the home page. The static build
 * renders without a query string, so the query is read only after hydration: links built from it (sign-in ↔
 * sign-up) would otherwise keep the prerendered href without `?redirect=`.
 */
export function useRedirectTarget(): string {
  const { search } = useLocation();
  const { baseUrl } = useAuth();
  const hydrated = useIsBrowser();
  return redirectFromSearch(hydrated ? search : "", baseUrl, baseUrl);
}

/** Client-side navigation; `replace` for redirects so Back does not bounce the reader into the same redirect. */
export function useNavigate(): (to: string, options?: { replace?: boolean }) => void {
  const history = useHistory();
  return useCallback(
    (to, options) => {
      if (options?.replace) history.replace(to);
      else history.push(to);
    },
    [history],
  );
}
