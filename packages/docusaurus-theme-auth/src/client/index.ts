/** Browser-side API of the theme, for swizzled components and site code. */
export { AuthProvider, useAuth, type AuthContextValue, type AuthUser, type AuthSession } from "./context.js";
export { PLUGIN_NAME, type ClientOptions, type PluginOptions } from "./plugin.js";
export { createTextbookAuthClient, getAuthClient, type TextbookAuthClient } from "./authClient.js";
export { statusOf, gateFor, levelOf, type AuthStatus, type Gate } from "./access.js";
export { sanitizeRedirect, withRedirect, redirectFromSearch, forAuthServer } from "./redirect.js";
export {
  createAccessRule,
  createRouteMatcher,
  globToRegExp,
  stripBaseUrl,
  meets,
  ACCESS_LEVELS,
  type AccessLevel,
  type AccessRules,
} from "./routes.js";
export { installPreloadGuard, mayLoad, usePreloadGuard } from "./preloadGuard.js";
export { sitePath, themePagePaths, themePaths, THEME_PAGES, type ThemePage, type ThemePaths } from "./paths.js";
export { useRedirectTarget, useNavigate } from "./navigation.js";
export { useProtection } from "./useProtection.js";
export { useAccountForm } from "./useAccountForm.js";
export { toDisplayError, type DisplayError } from "./errors.js";
export { listOf, matchBlock, unknownValues, personalizedBlock, BLOCK_KINDS, type BlockKind, type Match } from "./personalize.js";
export { PersonalizedBlock } from "./PersonalizedBlock.js";
export { useAccountFeatures, type AccountFeatures } from "./useAccountFeatures.js";
export { describeUserAgent } from "./user-agent.js";
export { useFormAction } from "./useFormAction.js";
export { useSignOut } from "./useSignOut.js";
export { useForAuthServer } from "./useForAuthServer.js";
export { useQueryParam } from "./useQueryParam.js";
export { parseProviders, providerErrorFromSearch, type SignInProvider } from "./providers.js";
export { useSignInProviders } from "./useSignInProviders.js";
