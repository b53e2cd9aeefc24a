import React, { useEffect, useRef, useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import AuthPlaceholder from "@theme/AuthPlaceholder";
import ProfileForm from "@theme/ProfileForm";
import { DEVELOPER_ROLE_LABELS, PYTHON_PROFICIENCY_LABELS } from "@textbook-auth/onboarding/client";
import { useAuth, useNavigate, withRedirect } from "@textbook-auth/docusaurus-theme/client";

/** `/account`: who is signed in, the profile (see and change it), and sign-out. */
export default function Account(): ReactNode {
  const { status, user, profile, client, paths } = useAuth();
  const navigate = useNavigate();
  // Signing out turns this page's reader into a visitor; without this flag the page would send them to sign-in
  // instead of the home page they asked for.
  const signingOut = useRef(false);
  const [signOutFailed, setSignOutFailed] = useState(false);

  useEffect(() => {
    if (status === "visitor" && !signingOut.current) navigate(withRedirect(paths.signIn, paths.account), { replace: true });
  }, [status, paths.signIn, paths.account, navigate]);

  async function signOut() {
    if (!client) return;
    signingOut.current = true;
    setSignOutFailed(false);
    const { error } = await client.signOut();
    if (error) {
      signingOut.current = false;
      setSignOutFailed(true);
      return;
    }
    navigate(paths.home);
  }

  if (status !== "reader" && status !== "incomplete") {
    return (
      <Layout title="Account">
        <AuthPlaceholder status={status} />
      </Layout>
    );
  }
  return (
    <Layout title="Account">
      <main className="container margin-vert--lg" style={{ maxWidth: "36rem" }}>
        <h1>Account</h1>
        <dl>
          <dt>Name</dt>
          <dd data-testid="account-name">{user?.name}</dd>
          <dt>Email</dt>
          <dd data-testid="account-email">{user?.email}</dd>
          <dt>Python</dt>
          <dd data-testid="account-proficiency" data-value={profile?.pythonProficiency ?? ""}>
            {profile?.pythonProficiency ? PYTHON_PROFICIENCY_LABELS[profile.pythonProficiency] : "Not answered yet"}
          </dd>
          <dt>Role</dt>
          <dd data-testid="account-role" data-value={profile?.developerRole ?? ""}>
            {profile?.developerRole ? DEVELOPER_ROLE_LABELS[profile.developerRole] : "Not answered yet"}
          </dd>
        </dl>
        <h2>Change your profile</h2>
        <ProfileForm submitLabel="Save profile" />
        <h2 className="margin-top--lg">Sign out</h2>
        {signOutFailed && (
          <p role="alert" className="alert alert--danger">
            Signing out failed. Try again.
          </p>
        )}
        <button type="button" className="button button--secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </main>
    </Layout>
  );
}
