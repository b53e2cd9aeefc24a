import React, { useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import AuthField from "@theme/AuthField";
import FormError from "@theme/FormError";
import SocialSignIn from "@theme/SocialSignIn";
import { useAccountForm, useAuth, useForAuthServer, useFormAction, withRedirect } from "@textbook-auth/docusaurus-theme/client";

/**
 * `/sign-in?redirect=<path>`: after signing in, back to that path (or onboarding first if the profile is incomplete).
 * Says what the reader came for when the path is a protected page, and offers the confirmation link again when the
 * site requires a confirmed address (EMAIL_NOT_VERIFIED).
 */
export default function SignIn(): ReactNode {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { isProtected, pageTitle } = useAuth();
  const forAuthServer = useForAuthServer();
  const { client, paths, target, busy, error, onSubmit } = useAccountForm((client) =>
    client.signIn.email({ email, password }),
  );
  const resend = useFormAction(async () =>
    client?.sendVerificationEmail({ email, callbackURL: forAuthServer(withRedirect(paths.verifyEmail, target === paths.home ? null : target)) }),
  );
  const cameFor = target !== paths.home && isProtected(target.split(/[?#]/)[0]!) ? target : null;
  const title = cameFor ? pageTitle(cameFor) : null;

  return (
    <Layout title="Sign in">
      <main className="container margin-vert--lg" style={{ maxWidth: "28rem" }}>
        <h1>Sign in</h1>
        {cameFor && (
          <p data-testid="sign-in-reason">
            {title ? (
              <>
                Sign in to read <em>{title}</em>.
              </>
            ) : (
              "Sign in to read this page."
            )}
          </p>
        )}
        <form onSubmit={onSubmit} aria-label="Sign in">
          <AuthField id="auth-email" label="Email" value={email} onValue={setEmail} type="email" autoComplete="email" />
          <AuthField id="auth-password" label="Password" value={password} onValue={setPassword} type="password" autoComplete="current-password" />
          <FormError error={error} />
          <button type="submit" className="button button--primary" disabled={busy || !client}>
            Sign in
          </button>{" "}
          <Link className="margin-left--md" to={email ? `${paths.forgotPassword}?email=${encodeURIComponent(email)}` : paths.forgotPassword}>
            Forgot password?
          </Link>
        </form>
        {error?.code === "EMAIL_NOT_VERIFIED" && (
          <div className="margin-top--md">
            <p>We sent a confirmation link to {email} when you signed up. It may be in your spam folder.</p>
            <button type="button" className="button button--secondary" disabled={resend.busy || !client} onClick={() => void resend.run()}>
              Send the link again
            </button>
            <FormError error={resend.error} />
            {resend.done && (
              <p role="status" className="alert alert--success margin-top--sm">
                We sent a new link to {email}.
              </p>
            )}
          </div>
        )}
        <SocialSignIn />
        <p className="margin-top--md">
          New here? <Link to={withRedirect(paths.signUp, target === paths.home ? null : target)}>Create an account</Link>
        </p>
      </main>
    </Layout>
  );
}
