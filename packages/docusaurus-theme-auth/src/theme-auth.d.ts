/// <reference types="@docusaurus/module-type-aliases" />

// Type declarations for the `@theme/...` modules this theme provides, so sites and swizzled components are typed.

declare module "@theme/Root" {
  import type { ReactNode } from "react";
  export interface Props {
    children: ReactNode;
  }
  export default function Root(props: Props): ReactNode;
}

declare module "@theme/ProtectedRoute" {
  import type { ReactNode } from "react";
  export interface Props {
    children: ReactNode;
    /** What stands in for the children until the reader may see them. Default: <AuthPlaceholder>. */
    placeholder?: ReactNode;
  }
  export default function ProtectedRoute(props: Props): ReactNode;
}

declare module "@theme/AuthPlaceholder" {
  import type { ReactNode } from "react";
  import type { AuthStatus } from "@textbook-auth/docusaurus-theme/client";
  export interface Props {
    status: AuthStatus;
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
    /** For tests and styling: `data-section` on the element. */
    name?: string;
  }
  export interface StatusLabelProps {
    kind: "success" | "warning" | "info";
    children: ReactNode;
  }
  export default function AccountSection(props: Props): ReactNode;
  export function StatusLabel(props: StatusLabelProps): ReactNode;
  export const DANGER_BUTTON_STYLE: import("react").CSSProperties;
}

declare module "@theme/SessionList" {
  import type { ReactNode } from "react";
  export interface Props {
    /** Called when the list says the reader must sign in again (SESSION_NOT_FRESH). */
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
    /** Called after the server accepted the answers (the session refresh is already under way). */
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
  import type { PythonProficiency } from "@textbook-auth/onboarding/client";
  export interface Props {
    /** One level, several (array or "beginner,intermediate"). An unknown level is an error, not a hidden block. */
    level: PythonProficiency | (string & {}) | readonly string[];
    /** Shown to every other reader, visitors included. Default: nothing. */
    fallback?: ReactNode;
    children?: ReactNode;
  }
  export default function ForProficiency(props: Props): ReactNode;
}

declare module "@theme/ForRole" {
  import type { ReactNode } from "react";
  import type { DeveloperRole } from "@textbook-auth/onboarding/client";
  export interface Props {
    /** One role, several (array or "frontend,fullstack"). An unknown role is an error, not a hidden block. */
    role: DeveloperRole | (string & {}) | readonly string[];
    /** Shown to every other reader, visitors included. Default: nothing. */
    fallback?: ReactNode;
    children?: ReactNode;
  }
  export default function ForRole(props: Props): ReactNode;
}
