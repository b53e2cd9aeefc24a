import React, { useEffect, useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import AuthField from "@theme/AuthField";
import FormError from "@theme/FormError";
import { useAccountFeatures, useAuth, useForAuthServer, useFormAction, useQueryParam } from "@textbook-auth/docusaurus-theme/client";

/**
 * `/forgot-password?email=<address>`: mails a reset link. The answer is the same whether or not the address has an
 * account (the server's too), so the page can never tell anyone which addresses are registered.
 */
export default function ForgotPassword(): ReactNode {
  const { client, paths } = useAuth();
  const features = useAccountFeatures();
  const forAuthServer = useForAuthServer();
  const prefill = useQueryParam("email");
  const [email, setEmail] = useState("");
  useEffect(() => {
    if (prefill) setEmail((current) => current || prefill);
  }, [prefill]);
  const request = useFormAction(async () => client?.requestPasswordReset({ email, redirectTo: forAuthServer(paths.resetPassword) }));
  const mailOff = features?.mail === false;

  return (
    <Layout title="Forgot password">
      <main className="container margin-vert--lg" style={{ maxWidth: "28rem" }}>
        <h1>Forgot your password?</h1>
        {mailOff ? (
          <p role="alert" data-error-code="RESET_PASSWORD_DISABLED" className="alert alert--warning">
            This site cannot send email, so passwords cannot be reset by link. Ask the site's administrator.
          </p>
        ) : request.done ? (
          <div role="status" data-testid="reset-requested" className="alert alert--success">
            <p>
              If an account uses <strong>{email}</strong>, we sent it a link to choose a new password.
            </p>
            <p className="margin-bottom--none">The link works once, for one hour. No message? Look in your spam folder.</p>
          </div>
        ) : (
          <>
            <p>Enter the address you signed up with, and we will send you a link to choose a new password.</p>
            <form onSubmit={request.onSubmit} aria-label="Reset your password">
              <AuthField id="forgot-email" label="Email" value={email} onValue={setEmail} type="email" autoComplete="email" />
              <FormError error={request.error} />
              <button type="submit" className="button button--primary" disabled={request.busy || !client}>
                Send the link
              </button>
            </form>
          </>
        )}
        <p className="margin-top--md">
          Remembered it? <Link to={paths.signIn}>Sign in</Link>
        </p>
      </main>
    </Layout>
  );
}
