import { useCallback } from "react";
import { useHistory, useLocation } from "@docusaurus/router";
import { useAuth } from "./context";
import { redirectFromSearch } from "./redirect";

/** Where this page sends the reader when done: the sanitised `?redirect=`, or the home page. */
export function useRedirectTarget(): string {
  const { search } = useLocation();
  const { baseUrl } = useAuth();
  return redirectFromSearch(search, baseUrl, baseUrl);
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
