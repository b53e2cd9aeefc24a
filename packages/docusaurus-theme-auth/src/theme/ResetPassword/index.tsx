import React, { useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";
import AuthField from "@theme/AuthField";
import FormError from "@theme/FormError";
import { toDisplayError, useAuth, useFormAction, useQueryParam } from "@textbook-auth/docusaurus-theme/client";

/**
 * `/reset-password?token=<token>`: where a reset link lands (Better-Auth checks the token first and sends
 * `?error=INVALID_TOKEN` instead when it has expired or was used). A successful reset signs the reader out
 * everywhere, so the page ends with a way to sign in.
 */
export default function ResetPassword(): ReactNode {
  const { client, paths } = useAuth();
  const token = useQueryParam("token");
  const linkError = useQueryParam("error");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const reset = useFormAction(async () => {
    if (password !== confirm) return { error: { code: "PASSWORDS_DIFFER" } };
    return client?.resetPassword({ newPassword: password, token: token ?? "" });
  });
  const dead = linkError ?? (reset.error?.code === "INVALID_TOKEN" ? "INVALID_TOKEN" : null);

  let body: ReactNode;
  if (reset.done) {
    body = (
      <>
        <p role="status" data-testid="password-reset-done" className="alert alert--success">
          Your password is changed, and every device that was signed in is signed out.
        </p>
        <Link className="button button--primary" to={paths.signIn}>
          Sign in
        </Link>
      </>
    );
  } else if (dead || !token) {
    body = (
      <>
        {dead ? (
          <p role="alert" data-error-code={dead} className="alert alert--danger">
            {toDisplayError({ code: dead }).message}
          </p>
        ) : (
          <p>This page opens from the link we email you when you ask to reset your password.</p>
        )}
        <Link className="button button--primary" to={paths.forgotPassword}>
          Send a new link
        </Link>
      </>
    );
  } else {
    body = (
      <form onSubmit={reset.onSubmit} aria-label="Choose a new password">
        <AuthField id="reset-password" label="New password" value={password} onValue={setPassword} type="password" autoComplete="new-password" minLength={8} />
        <AuthField id="reset-confirm" label="New password, again" value={confirm} onValue={setConfirm} type="password" autoComplete="new-password" minLength={8} />
        <FormError error={reset.error} />
        <button type="submit" className="button button--primary" disabled={reset.busy || !client}>
          Change password
        </button>
      </form>
    );
  }

  return (
    <Layout title="Choose a new password">
      <main className="container margin-vert--lg" style={{ maxWidth: "28rem" }}>
        <h1>Choose a new password</h1>
        {body}
      </main>
    </Layout>
  );
}
