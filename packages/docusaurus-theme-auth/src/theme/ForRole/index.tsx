import React, { type ReactNode } from "react";
import type { Props } from "@theme/ForRole";
import { PersonalizedBlock } from "@textbook-auth/docusaurus-theme/client";

/** `<ForRole role="data_science">`: shown only to readers who gave that role. */
export default function ForRole({ role, fallback, children }: Props): ReactNode {
  return (
    <PersonalizedBlock kind="role" value={role} fallback={fallback}>
      {children}
    </PersonalizedBlock>
  );
}
