import React, { useEffect, type ReactNode } from "react";
import Layout from "@theme/Layout";
import AuthPlaceholder from "@theme/AuthPlaceholder";
import ProfileForm from "@theme/ProfileForm";
import { useLocation } from "@docusaurus/router";
import { useAuth, useNavigate, useRedirectTarget, withRedirect } from "@textbook-auth/docusaurus-theme/client";

/**
 * `/onboarding?redirect=<path>`: the two questions. Leaves for the path as soon as the session reports a complete
 * profile, which the server decides; the session refreshes by itself after the profile is saved.
 */
export default function Onboarding(): ReactNode {
  const { status, user, paths } = useAuth();
  const target = useRedirectTarget();
  const navigate = useNavigate();
  const location = useLocation();

  useEffect(() => {
    if (status === "reader") navigate(target, { replace: true });
    else if (status === "visitor") {
      navigate(withRedirect(paths.signIn, location.pathname + location.search), { replace: true });
    }
  }, [status, target, paths.signIn, location.pathname, location.search, navigate]);

  return (
    <Layout title="Tell us about you">
      {status === "incomplete" ? (
        <main className="container margin-vert--lg" style={{ maxWidth: "36rem" }}>
          <h1>Welcome{user?.name ? `, ${user.name}` : ""}</h1>
          <p>A few questions, so the chapters can speak to you. You can change the answers later in your account.</p>
          <ProfileForm submitLabel="Continue" />
        </main>
      ) : (
        <AuthPlaceholder status={status} />
      )}
    </Layout>
  );
}
