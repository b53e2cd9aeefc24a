import React, { useId, type ReactNode } from "react";

export interface Props {
  title: string;
  children: ReactNode;
  /** For tests and styling: `data-section` on the element. */
  name?: string;
}

/** One titled part of the account page, a landmark named by its heading (screen readers list them). */
export default function AccountSection({ title, children, name }: Props): ReactNode {
  const id = useId();
  return (
    <section aria-labelledby={id} data-section={name} className="margin-top--lg">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
