import React, { useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import AuthField from "@theme/AuthField";
import FormError from "@theme/FormError";
import SocialSignIn from "@theme/SocialSignIn";
import { useAccountForm, withRedirect } from "@textbook-auth/docusaurus-theme/client";

/** `/sign-up?redirect=<path>`: a new account always goes through onboarding, which then returns to the path. */
export default function SignUp(): ReactNode {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { client, paths, target, busy, error, onSubmit } = useAccountForm((client) => client.signUp.email({ name, email, password }));

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
