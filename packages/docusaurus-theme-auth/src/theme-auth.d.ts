/// <reference types="@docusaurus/module-type-aliases" />

// Type declarations for the `@theme/...` modules this theme provides, so sites and swizzled components are typed.

declare module "@theme/Root" {
  import type { ReactNode } from "react";
  export default function Root(props: { children: ReactNode }): ReactNode;
}

declare module "@theme/ProtectedRoute" {
  import type { ReactNode } from "react";
  export interface Props {
    children: ReactNode;
    placeholder?: ReactNode;
  }
  export default function ProtectedRoute(props: Props): ReactNode;
}

declare module "@theme/AuthPlaceholder" {
  import type { ReactNode } from "react";
  export interface Props {
    status: "loading" | "unavailable" | "visitor" | "incomplete" | "reader";
  }
  export default function AuthPlaceholder(props: Props): ReactNode;
}

declare module "@theme/SignIn" {
  import type { ReactNode } from "react";
  export default function SignIn(): ReactNode;
}

declare module "@theme/SignUp" {
  import type { ReactNode } from "react";
  export default function SignUp(): ReactNode;
}

declare module "@theme/SocialSignIn" {
  import type { ReactNode } from "react";
  export default function SocialSignIn(): ReactNode;
}

declare module "@theme/Onboarding" {
  import type { ReactNode } from "react";
  export default function Onboarding(): ReactNode;
}

declare module "@theme/Account" {
  import type { ReactNode } from "react";
  export default function Account(): ReactNode;
}

declare module "@theme/ForgotPassword" {
  import type { ReactNode } from "react";
  export default function ForgotPassword(): ReactNode;
}

declare module "@theme/ResetPassword" {
  import type { ReactNode } from "react";
  export default function ResetPassword(): ReactNode;
}

declare module "@theme/VerifyEmail" {
  import type { ReactNode } from "react";
  export default function VerifyEmail(): ReactNode;
}

declare module "@theme/AccountSection" {
  import type { ReactNode } from "react";
  export interface Props {
    title: string;
    children: ReactNode;
    name?: string;
  }
  export default function AccountSection(props: Props): ReactNode;
  export function StatusLabel(props: { kind: "success" | "warning" | "info"; children: ReactNode }): ReactNode;
  export const DANGER_BUTTON_STYLE: import("react").CSSProperties;
}

declare module "@theme/SessionList" {
  import type { ReactNode } from "react";
  export interface Props {
    onSignInAgain?: () => void;
  }
  export default function SessionList(props: Props): ReactNode;
}

declare module "@theme/AuthField" {
  import type { InputHTMLAttributes, ReactNode } from "react";
  export interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onChange"> {
    id: string;
    label: string;
    value: string;
    onValue: (value: string) => void;
  }
  export default function AuthField(props: Props): ReactNode;
}

declare module "@theme/FormError" {
  import type { ReactNode } from "react";
  export interface Props {
    error: { code: string; message: string } | null;
  }
  export default function FormError(props: Props): ReactNode;
}

declare module "@theme/ProfileForm" {
  import type { ReactNode } from "react";
  export interface Props {
    submitLabel: string;
    onSaved?: () => void;
  }
  export default function ProfileForm(props: Props): ReactNode;
}

declare module "@theme/NavbarItem/AuthNavbarItem" {
  import type { ReactNode } from "react";
  export interface Props {
    mobile?: boolean;
    position?: "left" | "right";
    className?: string;
  }
  export default function AuthNavbarItem(props: Props): ReactNode;
}

declare module "@theme/ForProficiency" {
  import type { ReactNode } from "react";
  export interface Props {
    level: string | string[];
    fallback?: ReactNode;
    children?: ReactNode;
  }
  export default function ForProficiency(props: Props): ReactNode;
}

declare module "@theme/ForRole" {
  import type { ReactNode } from "react";
  export interface Props {
    role: string | string[];
    fallback?: ReactNode;
    children?: ReactNode;
  }
  export default function ForRole(props: Props): ReactNode;
}
