/**
 * Which personalised block a reader sees. A block lists one value or several; an unknown value is an author's
 * typo that would silently hide the block from everyone, so it is reported instead of ignored.
 */
import { DEVELOPER_ROLES, PYTHON_PROFICIENCIES, type Profile } from "@textbook-auth/onboarding/client";
import type { AuthStatus } from "./access.js";

export type Match = "pending" | "match" | "fallback";

export function listOf(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === "string" ? value.split(",") : [...value];
  return list.map((v) => v.trim()).filter(Boolean);
}

/**
 * The two kinds of block, `<ForProficiency level>` and `<ForRole role>`: which profile field each compares, which
 * values it knows, and the attribute that lists the wanted values on the element (for styling and tests).
 */
export const BLOCK_KINDS = {
  proficiency: { component: "ForProficiency", prop: "level", field: "pythonProficiency", known: PYTHON_PROFICIENCIES, listAttribute: "data-levels" },
  role: { component: "ForRole", prop: "role", field: "developerRole", known: DEVELOPER_ROLES, listAttribute: "data-roles" },
} as const satisfies Record<string, { component: string; prop: string; field: keyof Profile; known: readonly string[]; listAttribute: string }>;

export type BlockKind = keyof typeof BLOCK_KINDS;

export function unknownValues(kind: "level" | "role", values: readonly string[]): string[] {
  const known: readonly string[] = BLOCK_KINDS[kind === "level" ? "proficiency" : "role"].known;
  return values.filter((v) => !known.includes(v));
}

export function matchBlock(status: AuthStatus, readerValue: string | null | undefined, wanted: readonly string[]): Match {
  // Until the session is known, show neither: showing the fallback first and then swapping is a visible flicker.
  if (status === "loading") return "pending";
  if (status === "reader" && readerValue && wanted.includes(readerValue)) return "match";
  return "fallback";
}

/**
 * What a block of `kind` shows this reader: null for nothing (pending, or no fallback), else the element's
 * attributes and whether the children or the fallback go inside. Throws on an unknown value, naming the block.
 */
export function personalizedBlock(
  kind: BlockKind,
  value: string | readonly string[],
  status: AuthStatus,
  profile: Profile | null,
  hasFallback: boolean,
): { match: Exclude<Match, "pending">; attributes: Record<string, string> } | null {
  const block = BLOCK_KINDS[kind];
  const wanted = listOf(value);
  const unknown = unknownValues(block.prop, wanted);
  if (unknown.length) throw new Error(`<${block.component} ${block.prop}>: unknown ${block.prop} ${JSON.stringify(unknown)}`);
  const readerValue = profile?.[block.field];
  const match = matchBlock(status, typeof readerValue === "string" ? readerValue : null, wanted);
  if (match === "pending" || (match === "fallback" && !hasFallback)) return null;
  return { match, attributes: { "data-personalized": kind, [block.listAttribute]: wanted.join(" "), "data-match": match } };
}
