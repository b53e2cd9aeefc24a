import React, { useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import AuthField from "@theme/AuthField";
import FormError from "@theme/FormError";
import SocialSignIn from "@theme/SocialSignIn";
import { useAccountForm, useForAuthServer, withRedirect } from "@textbook-auth/docusaurus-theme/client";

/**
 * `/sign-up?redirect=<path>`: a new account always goes through onboarding, which then returns to the path. When the
 * site requires a confirmed address there is no session yet: the page says where the link went, and the link brings
 * the reader back signed in (to /verify-email, then on to the path).
 */
export default function SignUp(): ReactNode {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [awaiting, setAwaiting] = useState<string | null>(null);
  const forAuthServer = useForAuthServer();
  const { client, paths, target, busy, error, onSubmit } = useAccountForm(async (client) => {
    const result = await client.signUp.email({
      name,
      email,
      password,
      callbackURL: forAuthServer(withRedirect(paths.verifyEmail, target === paths.home ? null : target)),
    });
    if (!result.error && result.data && !result.data.token) setAwaiting(email);
    return result;
  });

  if (awaiting) {
    return (
      <Layout title="Confirm your email address">
        <main className="container margin-vert--lg" style={{ maxWidth: "28rem" }}>
          <h1>Check your inbox</h1>
          <p role="status" data-testid="sign-up-awaiting">
            We sent a link to <strong>{awaiting}</strong>. Open it to confirm your address and finish signing up.
          </p>
          <p>
            No message? Look in your spam folder, or <Link to={withRedirect(paths.signIn, target === paths.home ? null : target)}>sign in</Link> to
            have it sent again.
          </p>
        </main>
      </Layout>
    );
  }

  return (
    <Layout title="Create an account">
      <main className="container margin-vert--lg" style={{ maxWidth: "28rem" }}>
        <h1>Create an account</h1>
        <form onSubmit={onSubmit} aria-label="Create an account">
          <AuthField id="auth-name" label="Name" value={name} onValue={setName} type="text" autoComplete="name" />
          <AuthField id="auth-email" label="Email" value={email} onValue={setEmail} type="email" autoComplete="email" />
          <AuthField id="auth-password" label="Password" value={password} onValue={setPassword} type="password" autoComplete="new-password" minLength={8} />
          <FormError error={error} />
          <button type="submit" className="button button--primary" disabled={busy || !client}>
            Create account
          </button>
        </form>
        <SocialSignIn />
        <p className="margin-top--md">
          Already have an account? <Link to={withRedirect(paths.signIn, target === paths.home ? null : target)}>Sign in</Link>
        </p>
      </main>
    </Layout>
  );
}
