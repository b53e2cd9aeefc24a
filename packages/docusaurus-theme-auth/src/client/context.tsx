/**
 * The auth context: one Better-Auth client per page, its session, and the theme's options and paths.
 * On the server (static build) there is no client and the status is "loading". The browser's first render, the
 * one that hydrates the prerendered HTML, must be the same: React keeps the server's attributes where it differs
 * (a submit button prerendered `disabled` stayed disabled for good on a full page load). So the client
 * and the session are exposed only once `useIsBrowser()` turns true, which Docusaurus sets in an effect after
 * hydration; that second render is an ordinary update, and React applies every attribute it changes.
 */
import React, { createContext, useCallback, useContext, useMemo, type ReactNode } from "react";
import ExecutionEnvironment from "@docusaurus/ExecutionEnvironment";
import useIsBrowser from "@docusaurus/useIsBrowser";
import useDocusaurusContext from "@docusaurus/useDocusaurusContext";
import { usePluginData } from "@docusaurus/useGlobalData";
import { getAuthClient, type TextbookAuthClient } from "./authClient.js";
import { statusOf, type AuthStatus } from "./access.js";
import { createAccessRule, type AccessLevel } from "./routes.js";
import { themePagePaths, themePaths, type ThemePaths } from "./paths.js";
import { PLUGIN_NAME, type ClientOptions } from "./plugin.js";

/**
 * The session as Better-Auth's client infers it from the server plugins, the onboarding plugin's `profile` and
 * `user.profileComplete` included: typed at the source, so a field the plugin renames fails to compile here.
 */
type SessionData = TextbookAuthClient["$Infer"]["Session"];
export type AuthUser = SessionData["user"];
export type AuthSession = SessionData["session"];

export interface AuthContextValue {
  status: AuthStatus;
  user: AuthUser | null;
  /** This device's session (its id marks "this device" in the sessions list). */
  session: AuthSession | null;
  profile: SessionData["profile"];
  /** null during server rendering and during hydration: anything built from it must not change the first render. */
  client: TextbookAuthClient | null;
  paths: ThemePaths;
  baseUrl: string;
  /** Who may open this pathname (with baseUrl): the same rule the build writes into the server's manifest. */
  accessOf: (pathname: string) => AccessLevel;
  /**
   * The theme's `authBaseUrl` option: where Better-Auth answers ("/api/auth" by default), for plain links to it. A
   * path on this origin, or an absolute URL on another (then paths handed to it go through `forAuthServer`).
   */
  authBaseUrl: string;
  isProtected: (pathname: string) => boolean;
  /** The title of a protected page, by path (with baseUrl; search, hash and trailing slash ignored). */
  pageTitle: (path: string) => string | null;
  refetch: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

type SessionState = ReturnType<TextbookAuthClient["useSession"]>;

// Chosen once per bundle, so hook order never changes within a render environment.
const useSessionSnapshot: (client: TextbookAuthClient | null) => SessionState | null = ExecutionEnvironment.canUseDOM
  ? (client) => client!.useSession()
  : () => null;

export function AuthProvider({ children }: { children: ReactNode }) {
  const { siteConfig } = useDocusaurusContext();
  const options = usePluginData(PLUGIN_NAME) as ClientOptions;
  const hydrated = useIsBrowser();
  // Created (and its session subscribed) from the first browser render, so the session request starts at once;
  // a value computed here with canUseDOM would already differ from the server's during hydration.
  const browserClient = ExecutionEnvironment.canUseDOM ? getAuthClient(options.authBaseUrl, window.location.origin) : null;
  const snapshot = useSessionSnapshot(browserClient);
  const client = hydrated ? browserClient : null;
  const session = hydrated ? snapshot : null;
  const status = statusOf(session);

  const paths = useMemo(
    () => themePaths(siteConfig.baseUrl, siteConfig.trailingSlash, options.onboardingPath),
    [siteConfig.baseUrl, siteConfig.trailingSlash, options.onboardingPath],
  );
  const accessOf = useMemo(
    () =>
      createAccessRule(
        {
          protectedRoutes: options.protectedRoutes,
          publicRoutes: options.publicRoutes,
          pageAccess: options.pageAccess,
          alwaysPublic: themePagePaths(options.onboardingPath),
        },
        siteConfig.baseUrl,
      ),
    [options, siteConfig.baseUrl],
  );
  const isProtected = useMemo(() => (pathname: string) => accessOf(pathname) !== "public", [accessOf]);
  const pageTitles = options.pageTitles;
  const pageTitle = useCallback(
    (path: string) => {
      const pathname = path.split(/[?#]/)[0]!.replace(/\/+$/, "") || "/";
      return pageTitles?.[pathname] ?? null;
    },
    [pageTitles],
  );
  const user = session?.data?.user ?? null;
  const currentSession = session?.data?.session ?? null;
  const profile = session?.data?.profile ?? null;
  const refetch = session?.refetch;

  const value = useMemo<AuthContextValue>(
    () => ({
      status,
      user,
      session: currentSession,
      profile,
      client,
      paths,
      baseUrl: siteConfig.baseUrl,
      accessOf,
      authBaseUrl: options.authBaseUrl,
      isProtected,
      pageTitle,
      refetch: async () => {
        await refetch?.();
      },
    }),
    [status, user, currentSession, profile, client, paths, siteConfig.baseUrl, options.authBaseUrl, accessOf, isProtected, pageTitle, refetch],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The reader's session and the theme's paths. Throws outside the provider, which the theme's Root installs. */
export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) {
    throw new Error(
      "useAuth() was called outside <AuthProvider>. The theme's Root installs it; if you swizzled @theme/Root, wrap it with @theme-original/Root.",
    );
  }
  return value;
}
