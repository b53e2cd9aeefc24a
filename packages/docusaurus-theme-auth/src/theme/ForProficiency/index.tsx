import React, { type ReactNode } from "react";
import type { Props } from "@theme/ForProficiency";
import { PersonalizedBlock } from "@textbook-auth/docusaurus-theme/client";

/** `<ForProficiency level="beginner">`: shown only to readers who said they are at that Python level. */
export default function ForProficiency({ level, fallback, children }: Props): ReactNode {
  return (
    <PersonalizedBlock kind="proficiency" value={level} fallback={fallback}>
      {children}
    </PersonalizedBlock>
  );
}
