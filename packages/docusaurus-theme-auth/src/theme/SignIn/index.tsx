import React, { useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import AuthField from "@theme/AuthField";
import FormError from "@theme/FormError";
import SocialSignIn from "@theme/SocialSignIn";
import { useAccountForm, withRedirect } from "@textbook-auth/docusaurus-theme/client";

/** `/sign-in?redirect=<path>`: after signing in, back to that path (or onboarding first if the profile is incomplete). */
export default function SignIn(): ReactNode {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { client, paths, target, busy, error, onSubmit } = useAccountForm((client) => client.signIn.email({ email, password }));

  return (
    <Layout title="Sign in">
      <main className="container margin-vert--lg" style={{ maxWidth: "28rem" }}>
        <h1>Sign in</h1>
        <form onSubmit={onSubmit} aria-label="Sign in">
          <AuthField id="auth-email" label="Email" value={email} onValue={setEmail} type="email" autoComplete="email" />
          <AuthField id="auth-password" label="Password" value={password} onValue={setPassword} type="password" autoComplete="current-password" />
          <FormError error={error} />
          <button type="submit" className="button button--primary" disabled={busy || !client}>
            Sign in
          </button>
        </form>
        <SocialSignIn />
        <p className="margin-top--md">
          New here? <Link to={withRedirect(paths.signUp, target === paths.home ? null : target)}>Create an account</Link>
        </p>
      </main>
    </Layout>
  );
}
