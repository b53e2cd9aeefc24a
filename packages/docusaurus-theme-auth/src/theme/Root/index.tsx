import React, { type ReactNode } from "react";
import { useLocation } from "@docusaurus/router";
import Head from "@docusaurus/Head";
import useDocusaurusContext from "@docusaurus/useDocusaurusContext";
import AuthPlaceholder from "@theme/AuthPlaceholder";
import type { Props } from "@theme/Root";
import { AuthProvider, useAuth, usePreloadGuard, useProtection } from "@textbook-auth/docusaurus-theme/client";

/**
 * Protects the configured routes for every page, without the site author wrapping each one. The gate sits at
 * the Root, above the route's component, so nothing of a protected page (not its text, title or meta
 * description) is rendered until the reader may see it: not in the static HTML, not during hydration, not while
 * the session request is in flight. The placeholder is bare on purpose: the site's Layout needs the route's
 * context, which exists only inside the route component this gate withholds. Each page's level (`public`,
 * `signed-in`, `complete-profile`) comes from the same rule the Node server enforces for the page's HTML and chunks;
 * links to pages the reader may not open are not prefetched (see usePreloadGuard).
 */
function RouteGate({ children }: { children: ReactNode }): ReactNode {
  const { pathname } = useLocation();
  const { accessOf, status: sessionStatus } = useAuth();
  const { siteConfig } = useDocusaurusContext();
  usePreloadGuard(sessionStatus, accessOf);
  const { render, status } = useProtection(accessOf(pathname));
  // Same position for public and permitted pages, so moving between them never remounts the app.
  if (render) return children;
  return (
    <>
      <Head>
        <html lang={siteConfig.i18n.defaultLocale} />
        <meta name="viewport" content="width=device-width, initial-scale=1.0" />
        <title>{siteConfig.title}</title>
      </Head>
      <AuthPlaceholder status={status} />
    </>
  );
}

/** Installs the auth provider above every page, so `useAuth()` works in the navbar, pages and MDX alike. */
export default function Root({ children }: Props): ReactNode {
  return (
    <AuthProvider>
      <RouteGate>{children}</RouteGate>
    </AuthProvider>
  );
}
