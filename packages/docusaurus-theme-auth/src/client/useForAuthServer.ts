import { useCallback } from "react";
import { useAuth } from "./context.js";
import { forAuthServer } from "./redirect.js";

/**
 * `forAuthServer` bound to the theme's `authBaseUrl` and the page's origin: for every path the auth server redirects
 * to itself (provider callbacks, the links in confirmation, reset and change-of-address mail). Call the returned
 * function in the browser (event handlers), where the page's origin is known.
 */
export function useForAuthServer(): (path: string) => string {
  const { authBaseUrl } = useAuth();
  return useCallback((path: string) => forAuthServer(path, authBaseUrl, window.location.origin), [authBaseUrl]);
}
