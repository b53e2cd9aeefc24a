import React, { type ReactNode } from "react";
import type { PythonProficiency } from "@textbook-auth/onboarding/client";
import { useAuth, listOf, matchBlock, unknownValues } from "@textbook-auth/docusaurus-theme/client";

export interface Props {
  /** One level, several (array or "beginner,intermediate"). */
  level: PythonProficiency | PythonProficiency[] | string;
  /** Shown to every other reader, visitors included. Default: nothing. */
  fallback?: ReactNode;
  children?: ReactNode;
}

/** `<ForProficiency level="beginner">`: shown only to readers who said they are at that Python level. */
export default function ForProficiency({ level, fallback = null, children }: Props): ReactNode {
  const { status, profile } = useAuth();
  const wanted = listOf(level);
  const unknown = unknownValues("level", wanted);
  if (unknown.length) throw new Error(`<ForProficiency level>: unknown level ${JSON.stringify(unknown)}`);
  const match = matchBlock(status, profile?.pythonProficiency, wanted);
  if (match === "pending" || (match === "fallback" && fallback === null)) return null;
  return (
    <div data-personalized="proficiency" data-levels={wanted.join(" ")} data-match={match}>
      {match === "match" ? children : fallback}
    </div>
  );
}
