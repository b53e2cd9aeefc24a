/** Browser-side API of the theme, for swizzled components and site code. */
export { AuthProvider, useAuth, PLUGIN_NAME, type AuthContextValue, type AuthUser, type ClientOptions } from "./context";
export { createTextbookAuthClient, getAuthClient, type TextbookAuthClient } from "./authClient";
export { statusOf, gateFor, type AuthStatus, type Gate } from "./access";
export { sanitizeRedirect, withRedirect, redirectFromSearch } from "./redirect";
export { createRouteMatcher, globToRegExp, stripBaseUrl } from "./routes";
export { sitePath, themePaths, type ThemePaths } from "./paths";
export { useRedirectTarget, useNavigate } from "./navigation";
export { useProtection } from "./useProtection";
export { useAccountForm } from "./useAccountForm";
export { toDisplayError, type DisplayError } from "./errors";
export { listOf, matchBlock, unknownValues, type Match } from "./personalize";
export { parseProviders, providerErrorFromSearch, type SignInProvider } from "./providers";
export { useSignInProviders } from "./useSignInProviders";
