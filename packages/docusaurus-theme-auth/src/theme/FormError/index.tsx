import React, { type ReactNode } from "react";
import type { Props } from "@theme/FormError";

/** A form's failure, announced to screen readers; the stable code is kept on the element for tests and styling. */
export default function FormError({ error }: Props): ReactNode {
  if (!error) return null;
  return (
    <p role="alert" data-error-code={error.code} className="alert alert--danger">
      {error.message}
    </p>
  );
}
