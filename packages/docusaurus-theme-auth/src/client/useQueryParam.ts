import useIsBrowser from "@docusaurus/useIsBrowser";
import { useLocation } from "@docusaurus/router";

/**
 * A query parameter of the current page, read only after hydration: the static build renders without a query
 * string, and a first render that differs from it would keep the prerendered attributes (see context.tsx).
 */
export function useQueryParam(name: string): string | null {
  const { search } = useLocation();
  const hydrated = useIsBrowser();
  return hydrated ? new URLSearchParams(search).get(name) : null;
}
