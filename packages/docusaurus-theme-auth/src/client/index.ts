/** Browser-side API of the theme, for swizzled components and site code. */
export { AuthProvider, useAuth, PLUGIN_NAME, type AuthContextValue, type AuthUser, type AuthSession, type ClientOptions } from "./context";
export { createTextbookAuthClient, getAuthClient, type TextbookAuthClient } from "./authClient";
export { statusOf, gateFor, levelOf, type AuthStatus, type Gate } from "./access";
export { sanitizeRedirect, withRedirect, redirectFromSearch } from "./redirect";
export {
  createAccessRule,
  createRouteMatcher,
  globToRegExp,
  stripBaseUrl,
  meets,
  ACCESS_LEVELS,
  type AccessLevel,
  type AccessRules,
} from "./routes";
export { installPreloadGuard, mayLoad, usePreloadGuard } from "./preloadGuard";
export { sitePath, themePagePaths, themePaths, type ThemePaths } from "./paths";
export { useRedirectTarget, useNavigate } from "./navigation";
export { useProtection } from "./useProtection";
export { useAccountForm } from "./useAccountForm";
export { toDisplayError, type DisplayError } from "./errors";
export { listOf, matchBlock, unknownValues, type Match } from "./personalize";
export { useAccountFeatures, type AccountFeatures } from "./useAccountFeatures";
export { describeUserAgent } from "./user-agent";
export { useFormAction } from "./useFormAction";
export { useQueryParam } from "./useQueryParam";
export { parseProviders, providerErrorFromSearch, type SignInProvider } from "./providers";
export { useSignInProviders } from "./useSignInProviders";
