import React, { type ReactNode } from "react";
import { useAuth } from "@textbook-auth/docusaurus-theme/client";
import type { Props } from "@theme/AuthPlaceholder";

/** Stands where protected content would be. Neutral on purpose: it must reveal nothing of the page it replaces. */
export default function AuthPlaceholder({ status }: Props): ReactNode {
  const { refetch } = useAuth();
  if (status === "unavailable") {
    return (
      <div className="container margin-vert--xl" data-auth-placeholder="unavailable">
        <p role="alert">We could not check your session: the sign-in service did not answer.</p>
        <button type="button" className="button button--primary" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <div className="container margin-vert--xl" data-auth-placeholder={status} aria-busy="true">
      <p role="status">{status === "loading" ? "Checking your session…" : "Redirecting…"}</p>
    </div>
  );
}
