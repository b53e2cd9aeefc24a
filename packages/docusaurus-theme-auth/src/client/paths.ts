/** Site paths the theme links to, with the site's baseUrl and trailing-slash setting applied. */

export function sitePath(baseUrl: string, trailingSlash: boolean | undefined, path: string): string {
  let full = baseUrl.replace(/\/$/, "") + (path.startsWith("/") ? path : `/${path}`);
  // Docusaurus emits "/sign-in/index.html" or "/sign-in.html" depending on trailingSlash; linking to the form it
  // emitted avoids a server redirect (and losing `?redirect=` on servers that drop the query when they redirect).
  if (trailingSlash === true && !full.endsWith("/")) full += "/";
  if (trailingSlash === false && full.length > 1 && full.endsWith("/")) full = full.slice(0, -1);
  return full;
}

export interface ThemePaths {
  home: string;
  signIn: string;
  signUp: string;
  onboarding: string;
  account: string;
  forgotPassword: string;
  resetPassword: string;
  verifyEmail: string;
}

export function themePaths(baseUrl: string, trailingSlash: boolean | undefined, onboardingPath: string): ThemePaths {
  const p = (path: string) => sitePath(baseUrl, trailingSlash, path);
  return {
    home: baseUrl,
    signIn: p("/sign-in"),
    signUp: p("/sign-up"),
    onboarding: p(onboardingPath),
    account: p("/account"),
    forgotPassword: p("/forgot-password"),
    resetPassword: p("/reset-password"),
    verifyEmail: p("/verify-email"),
  };
}

/** The theme's own pages: reachable whatever the globs say, so protecting "/**" cannot lock readers out of sign-in. */
export function themePagePaths(onboardingPath: string): string[] {
  return ["/sign-in", "/sign-up", "/account", "/forgot-password", "/reset-password", "/verify-email", onboardingPath];
}
