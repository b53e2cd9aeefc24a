import React, { type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import AuthPlaceholder from "@theme/AuthPlaceholder";
import { toDisplayError, useAuth, useQueryParam, useRedirectTarget, withRedirect } from "@textbook-auth/docusaurus-theme/client";

/**
 * `/verify-email?redirect=<path>`: where a confirmation or email-change link lands, after Better-Auth has checked it
 * (`?error=<code>` when it could not). A confirmed link has also signed this browser in, so "Continue" goes on to
 * the path, through onboarding when the profile is not complete yet.
 */
export default function VerifyEmail(): ReactNode {
  const { status, user, paths } = useAuth();
  const error = useQueryParam("error");
  const target = useRedirectTarget();

  let body: ReactNode;
  if (status === "loading" || status === "unavailable") {
    body = <AuthPlaceholder status={status} />;
  } else if (error) {
    body = (
      <>
        <p role="alert" data-error-code={error} className="alert alert--danger">
          {toDisplayError({ code: error }).message}
        </p>
        <p>
          {status === "visitor" ? (
            <Link to={withRedirect(paths.signIn, paths.account)}>Sign in to have a new link sent</Link>
          ) : (
            <Link to={paths.account}>Send a new link from your account page</Link>
          )}
        </p>
      </>
    );
  } else {
    const next = status === "visitor" ? withRedirect(paths.signIn, target) : status === "incomplete" ? withRedirect(paths.onboarding, target) : target;
    body = (
      <>
        <p role="status" data-testid="email-verified" className="alert alert--success">
          {user?.email ? (
            <>
              <strong>{user.email}</strong> is confirmed.
            </>
          ) : (
            "Your email address is confirmed."
          )}
        </p>
        <Link className="button button--primary" to={next}>
          Continue
        </Link>
      </>
    );
  }

  return (
    <Layout title="Email address">
      <main className="container margin-vert--lg" style={{ maxWidth: "28rem" }}>
        <h1>Email address</h1>
        {body}
      </main>
    </Layout>
  );
}
