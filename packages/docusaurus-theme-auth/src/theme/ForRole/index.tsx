import React, { type ReactNode } from "react";
import type { DeveloperRole } from "@textbook-auth/onboarding/client";
import { useAuth, listOf, matchBlock, unknownValues } from "@textbook-auth/docusaurus-theme/client";

export interface Props {
  /** One role, several (array or "frontend,fullstack"). */
  role: DeveloperRole | DeveloperRole[] | string;
  /** Shown to every other reader, visitors included. Default: nothing. */
  fallback?: ReactNode;
  children?: ReactNode;
}

/** `<ForRole role="data_science">`: shown only to readers who gave that role. */
export default function ForRole({ role, fallback = null, children }: Props): ReactNode {
  const { status, profile } = useAuth();
  const wanted = listOf(role);
  const unknown = unknownValues("role", wanted);
  if (unknown.length) throw new Error(`<ForRole role>: unknown role ${JSON.stringify(unknown)}`);
  const match = matchBlock(status, profile?.developerRole, wanted);
  if (match === "pending" || (match === "fallback" && fallback === null)) return null;
  return (
    <div data-personalized="role" data-roles={wanted.join(" ")} data-match={match}>
      {match === "match" ? children : fallback}
    </div>
  );
}
