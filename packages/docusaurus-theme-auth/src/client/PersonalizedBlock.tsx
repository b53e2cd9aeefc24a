import React, { type ReactNode } from "react";
import { useAuth } from "./context.js";
import { personalizedBlock, type BlockKind } from "./personalize.js";

/**
 * The one body of `<ForProficiency>` and `<ForRole>`: the two differ only in the profile field they compare (see
 * BLOCK_KINDS), so a fix to one can no longer miss the other. Swizzle either to restyle it.
 */
export function PersonalizedBlock({
  kind,
  value,
  fallback = null,
  children,
}: {
  kind: BlockKind;
  value: string | readonly string[];
  fallback?: ReactNode;
  children?: ReactNode;
}): ReactNode {
  const { status, profile } = useAuth();
  const block = personalizedBlock(kind, value, status, profile, fallback !== null);
  if (!block) return null;
  return <div {...block.attributes}>{block.match === "match" ? children : fallback}</div>;
}
