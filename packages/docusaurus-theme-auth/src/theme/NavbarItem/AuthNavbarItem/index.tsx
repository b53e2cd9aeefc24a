import React, { useEffect, useRef, useState, type ReactNode } from "react";
import Link from "@docusaurus/Link";
import { useLocation } from "@docusaurus/router";
import FormError from "@theme/FormError";
import { useAuth, useSignOut, withRedirect } from "@textbook-auth/docusaurus-theme/client";
import type { Props } from "@theme/NavbarItem/AuthNavbarItem";

/** "Sign in" for visitors; the reader's name with a menu (Account, Sign out) for readers. */
export default function AuthNavbarItem({ mobile = false, className }: Props): ReactNode {
  const { status, user, paths } = useAuth();
  const location = useLocation();
  const { signOut, error: signOutError, busy: signingOut } = useSignOut();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("click", close);
    return () => document.removeEventListener("click", close);
  }, [open]);

  async function signOutHere() {
    setOpen(false);
    await signOut(paths.home);
  }

  // Before the session is known, keep the slot's space without guessing who this is.
  if (status === "loading" || status === "unavailable") {
    return <span className={mobile ? "menu__list-item" : "navbar__item"} aria-hidden="true" style={{ minWidth: "5rem" }} />;
  }

  if (status === "visitor") {
    const onAuthPage = [paths.signIn, paths.signUp].some((p) => location.pathname.replace(/\/$/, "") === p.replace(/\/$/, ""));
    const here = location.pathname + location.search + location.hash;
    const to = onAuthPage ? location.pathname + location.search : withRedirect(paths.signIn, here === paths.home ? null : here);
    return mobile ? (
      <li className="menu__list-item">
        <Link className="menu__link" to={to}>Sign in</Link>
      </li>
    ) : (
      <Link className={`navbar__item navbar__link ${className ?? ""}`} to={to}>
        Sign in
      </Link>
    );
  }

  const name = user?.name || user?.email || "Account";
  if (mobile) {
    return (
      <>
        <li className="menu__list-item">
          <Link className="menu__link" to={paths.account}>{name}</Link>
        </li>
        <li className="menu__list-item">
          <button type="button" className="menu__link clean-btn" disabled={signingOut} onClick={() => void signOutHere()}>Sign out</button>
        </li>
        {signOutError && (
          <li className="menu__list-item">
            <FormError error={signOutError} />
          </li>
        )}
      </>
    );
  }
  return (
    <div ref={ref} className={`navbar__item dropdown dropdown--right ${open ? "dropdown--show" : ""} ${className ?? ""}`}>
      <button
        type="button"
        className="navbar__link clean-btn"
        // Infima turns off pointer events on href-less links in a dropdown (its dropdowns open on hover).
        style={{ pointerEvents: "auto", cursor: "pointer" }}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
      >
        {name}
      </button>
      <ul className="dropdown__menu" role="menu">
        <li role="none">
          <Link role="menuitem" className="dropdown__link" to={paths.account} onClick={() => setOpen(false)}>
            Account
          </Link>
        </li>
        <li role="none">
          <button role="menuitem" type="button" className="dropdown__link clean-btn" style={{ width: "100%", textAlign: "left" }} disabled={signingOut} onClick={() => void signOutHere()}>
            Sign out
          </button>
        </li>
      </ul>
      {signOutError && (
        // Beside the menu, not in it: the menu closes on the click, and the reader must see that they are still in.
        <div style={{ position: "absolute", top: "100%", right: 0, minWidth: "18rem", marginTop: "0.5rem", zIndex: 1 }}>
          <FormError error={signOutError} />
        </div>
      )}
    </div>
  );
}
