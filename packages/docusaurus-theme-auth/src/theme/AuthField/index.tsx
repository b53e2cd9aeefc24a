import React, { type ReactNode } from "react";
import type { Props } from "@theme/AuthField";

const inputStyle: React.CSSProperties = { display: "block", width: "100%", padding: "0.5rem", marginTop: "0.25rem" };

/** One labelled input of the sign-in and sign-up forms: swizzle it to restyle every field at once. */
export default function AuthField({ id, label, value, onValue, ...input }: Props): ReactNode {
  return (
    <div className="margin-bottom--md">
      <label htmlFor={id}>{label}</label>
      <input id={id} required value={value} onChange={(e) => onValue(e.target.value)} style={inputStyle} {...input} />
    </div>
  );
}
