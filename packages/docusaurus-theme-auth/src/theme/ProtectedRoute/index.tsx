import React, { type ReactNode } from "react";
import AuthPlaceholder from "@theme/AuthPlaceholder";
import { useProtection } from "@textbook-auth/docusaurus-theme/client";
import type { Props } from "@theme/ProtectedRoute";

/**
 * Renders its children only for a signed-in reader with a complete profile. Everyone else gets the placeholder,
 * including while the session is loading and during server rendering: the content must never be in the DOM for
 * a visitor, not even for the moment before the session answers. The theme's Root already applies this to the
 * configured routes; use it directly for parts of a public page.
 */
export default function ProtectedRoute({ children, placeholder }: Props): ReactNode {
  const { render, status } = useProtection(true);
  if (render) return <>{children}</>;
  return placeholder ?? <AuthPlaceholder status={status} />;
}
