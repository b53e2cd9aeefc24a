import React, { useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import { useAccountForm, withRedirect } from "@textbook-auth/docusaurus-theme/client";

const inputStyle: React.CSSProperties = { display: "block", width: "100%", padding: "0.5rem", marginTop: "0.25rem" };

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
          <div className="margin-bottom--md">
            <label htmlFor="auth-email">Email</label>
            <input id="auth-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} style={inputStyle} />
          </div>
          <div className="margin-bottom--md">
            <label htmlFor="auth-password">Password</label>
            <input id="auth-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} style={inputStyle} />
          </div>
          {error && (
            <p role="alert" data-error-code={error.code} className="alert alert--danger">
              {error.message}
            </p>
          )}
          <button type="submit" className="button button--primary" disabled={busy || !client}>
            Sign in
          </button>
        </form>
        <p className="margin-top--md">
          New here? <Link to={withRedirect(paths.signUp, target === paths.home ? null : target)}>Create an account</Link>
        </p>
      </main>
    </Layout>
  );
}
