import React, { useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import { useAccountForm, withRedirect } from "@textbook-auth/docusaurus-theme/client";

const inputStyle: React.CSSProperties = { display: "block", width: "100%", padding: "0.5rem", marginTop: "0.25rem" };

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
          <div className="margin-bottom--md">
            <label htmlFor="auth-name">Name</label>
            <input id="auth-name" type="text" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} style={inputStyle} />
          </div>
          <div className="margin-bottom--md">
            <label htmlFor="auth-email">Email</label>
            <input id="auth-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} style={inputStyle} />
          </div>
          <div className="margin-bottom--md">
            <label htmlFor="auth-password">Password</label>
            <input id="auth-password" type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} style={inputStyle} />
          </div>
          {error && (
            <p role="alert" data-error-code={error.code} className="alert alert--danger">
              {error.message}
            </p>
          )}
          <button type="submit" className="button button--primary" disabled={busy || !client}>
            Create account
          </button>
        </form>
        <p className="margin-top--md">
          Already have an account? <Link to={withRedirect(paths.signIn, target === paths.home ? null : target)}>Sign in</Link>
        </p>
      </main>
    </Layout>
  );
}
