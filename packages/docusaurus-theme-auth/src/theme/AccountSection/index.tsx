import React, { useId, type ReactNode } from "react";
import type { Props, StatusLabelProps } from "@theme/AccountSection";

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

/**
 * A short status next to a value ("Confirmed", "This device"). Built on Infima's alert colours, whose foreground and
 * background are chosen for contrast in both modes (its badge colours are not: white on its warning yellow is 1.7:1).
 */
export function StatusLabel({ kind, children }: StatusLabelProps): ReactNode {
  return (
    <span className={`alert alert--${kind}`} style={{ display: "inline-block", padding: "0 0.5rem", margin: 0, fontSize: "0.85em", fontWeight: 600 }}>
      {children}
    </span>
  );
}

/**
 * Infima's danger button is white on #fa383e (3.7:1), and black on its dark shade in dark mode (3.1:1); white on the
 * darkest danger shade reads at 6:1 or more in both modes.
 */
export const DANGER_BUTTON_STYLE = {
  "--ifm-button-background-color": "var(--ifm-color-danger-darkest)",
  "--ifm-button-border-color": "var(--ifm-color-danger-darkest)",
  color: "#fff",
} as React.CSSProperties;
