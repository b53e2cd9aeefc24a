/**
 * The theme's pages, in one table: the routes the plugin adds, the links its components follow, the paths the
 * `onboardingPath` option may not take, and the pages no glob can protect are all read from it, so adding or moving
 * a page is one edit (the swizzle list offers each page with its description). Paths are relative to the site's
 * baseUrl; `onboarding` is where the option puts it by default.
 */
export const THEME_PAGES = {
  signIn: { path: "/sign-in", component: "@theme/SignIn", description: "The sign-in page" },
  signUp: { path: "/sign-up", component: "@theme/SignUp", description: "The sign-up page" },
  onboarding: { path: "/onboarding", component: "@theme/Onboarding", description: "The onboarding page (the two profile questions)" },
  account: {
    path: "/account",
    component: "@theme/Account",
    description: "The account page: profile, name, email, password, sessions, export, deletion, sign-out",
  },
  forgotPassword: { path: "/forgot-password", component: "@theme/ForgotPassword", description: "The page that mails a password reset link" },
  resetPassword: { path: "/reset-password", component: "@theme/ResetPassword", description: "The page a reset link opens: choose a new password" },
  verifyEmail: { path: "/verify-email", component: "@theme/VerifyEmail", description: "Where a verification or email-change link lands" },
} as const;

export type ThemePage = keyof typeof THEME_PAGES;

const PAGE_KEYS = Object.keys(THEME_PAGES) as ThemePage[];

/** The theme's pages that stay where they are whatever the options say (every one but onboarding). */
export const FIXED_PAGE_PATHS: readonly string[] = PAGE_KEYS.filter((k) => k !== "onboarding").map((k) => THEME_PAGES[k].path);

/** Each page's path relative to baseUrl, with onboarding where the option puts it. */
export function themePageRoutes(onboardingPath: string): { page: ThemePage; path: string; component: string }[] {
  return PAGE_KEYS.map((page) => ({
    page,
    path: page === "onboarding" ? onboardingPath : THEME_PAGES[page].path,
    component: THEME_PAGES[page].component,
  }));
}

export function sitePath(baseUrl: string, trailingSlash: boolean | undefined, path: string): string {
  let full = baseUrl.replace(/\/$/, "") + (path.startsWith("/") ? path : `/${path}`);
  // Docusaurus emits "/sign-in/index.html" or "/sign-in.html" depending on trailingSlash; linking to the form it
  // emitted avoids a server redirect (and losing `?redirect=` on servers that drop the query when they redirect).
  if (trailingSlash === true && !full.endsWith("/")) full += "/";
  if (trailingSlash === false && full.length > 1 && full.endsWith("/")) full = full.slice(0, -1);
  return full;
}

/** Site paths the theme links to, with the site's baseUrl and trailing-slash setting applied. */
export type ThemePaths = { home: string } & Record<ThemePage, string>;

export function themePaths(baseUrl: string, trailingSlash: boolean | undefined, onboardingPath: string): ThemePaths {
  const paths = { home: baseUrl } as ThemePaths;
  for (const { page, path } of themePageRoutes(onboardingPath)) paths[page] = sitePath(baseUrl, trailingSlash, path);
  return paths;
}

/** The theme's own pages: reachable whatever the globs say, so protecting "/**" cannot lock readers out of sign-in. */
export function themePagePaths(onboardingPath: string): string[] {
  return themePageRoutes(onboardingPath).map((r) => r.path);
}
