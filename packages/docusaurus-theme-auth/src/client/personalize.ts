/**
 * Which personalised block a reader sees. A block lists one value or several; an unknown value is an author's
 * typo that would silently hide the block from everyone, so it is reported instead of ignored.
 */
import { DEVELOPER_ROLES, PYTHON_PROFICIENCIES } from "@textbook-auth/onboarding/client";
import type { AuthStatus } from "./access.js";

export type Match = "pending" | "match" | "fallback";

export function listOf(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === "string" ? value.split(",") : [...value];
  return list.map((v) => v.trim()).filter(Boolean);
}

export function unknownValues(kind: "level" | "role", values: readonly string[]): string[] {
  const known: readonly string[] = kind === "level" ? PYTHON_PROFICIENCIES : DEVELOPER_ROLES;
  return values.filter((v) => !known.includes(v));
}

export function matchBlock(status: AuthStatus, readerValue: string | null | undefined, wanted: readonly string[]): Match {
  // Until the session is known, show neither: showing the fallback first and then swapping is a visible flicker.
  if (status === "loading") return "pending";
  if (status === "reader" && readerValue && wanted.includes(readerValue)) return "match";
  return "fallback";
}
