import React, { useEffect, useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import AuthField from "@theme/AuthField";
import AuthPlaceholder from "@theme/AuthPlaceholder";
import AccountSection, { DANGER_BUTTON_STYLE, StatusLabel } from "@theme/AccountSection";
import FormError from "@theme/FormError";
import ProfileForm from "@theme/ProfileForm";
import SessionList from "@theme/SessionList";
import { DEVELOPER_ROLE_LABELS, PYTHON_PROFICIENCY_LABELS } from "@textbook-auth/onboarding/client";
import {
  useAccountFeatures,
  useAuth,
  useForAuthServer,
  useFormAction,
  useNavigate,
  useSignOut,
  withRedirect,
  type AccountFeatures,
  type TextbookAuthClient,
} from "@textbook-auth/docusaurus-theme/client";

type Client = TextbookAuthClient;

function Saved({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p role="status" data-testid={testId} className="alert alert--success">
      {children}
    </p>
  );
}

function NameForm({ client, name }: { client: Client; name: string }) {
  const { refetch } = useAuth();
  const [value, setValue] = useState(name);
  const save = useFormAction(async () => {
    const result = await client.updateUser({ name: value.trim() });
    if (!result.error) await refetch();
    return result;
  });
  return (
    <form onSubmit={save.onSubmit} aria-label="Change your name">
      <AuthField id="account-new-name" label="Name" value={value} onValue={setValue} type="text" autoComplete="name" maxLength={100} />
      <FormError error={save.error} />
      {save.done && <Saved>Your name is saved.</Saved>}
      <button type="submit" className="button button--primary" disabled={save.busy}>
        Save name
      </button>
    </form>
  );
}

function EmailPart({ client, email, verified, features }: { client: Client; email: string; verified: boolean; features: AccountFeatures | null }) {
  const { refetch, paths } = useAuth();
  const [newEmail, setNewEmail] = useState("");
  const [outcome, setOutcome] = useState<"sent" | "changed" | null>(null);
  const forAuthServer = useForAuthServer();
  const callbackURL = () => forAuthServer(withRedirect(paths.verifyEmail, paths.account));
  const resend = useFormAction(async () => client.sendVerificationEmail({ email, callbackURL: callbackURL() }));
  const change = useFormAction(async () => {
    setOutcome(null);
    const wanted = newEmail.trim().toLowerCase();
    if (wanted === email.toLowerCase()) return { error: { code: "SAME_EMAIL" } };
    const result = await client.changeEmail({ newEmail: wanted, callbackURL: callbackURL() });
    if (result.error) return result;
    // An unconfirmed address changes at once; a confirmed one only when the new address's link is opened.
    const { data } = await client.getSession({ query: { disableCookieCache: true } });
    await refetch();
    setOutcome(data?.user.email === wanted ? "changed" : "sent");
    return result;
  });

  return (
    <>
      <p>
        <span data-testid="account-email-state" data-verified={verified ? "true" : "false"}>
          {verified ? <StatusLabel kind="success">Confirmed</StatusLabel> : <StatusLabel kind="warning">Not confirmed yet</StatusLabel>}
        </span>{" "}
        {verified ? "You have opened the link we sent to this address." : features?.mail ? "Open the link we sent to confirm it." : null}
      </p>
      {!verified && features?.mail && (
        <div className="margin-bottom--md">
          <button type="button" className="button button--secondary" disabled={resend.busy} onClick={() => void resend.run()}>
            Send the confirmation link again
          </button>
          <FormError error={resend.error} />
          {resend.done && <Saved>We sent a new link to {email}.</Saved>}
        </div>
      )}
      <form onSubmit={change.onSubmit} aria-label="Change your email address">
        <AuthField id="account-new-email" label="New email address" value={newEmail} onValue={setNewEmail} type="email" autoComplete="email" />
        <FormError error={change.error} />
        {change.done && outcome === "sent" && (
          <Saved testId="email-change-sent">
            We sent a link to <strong>{newEmail}</strong>. Your address changes when you open it; until then it stays {email}.
          </Saved>
        )}
        {change.done && outcome === "changed" && (
          <Saved testId="email-change-done">
            Your email address is now <strong>{email}</strong>.{features?.mail ? " We sent it a link to confirm it." : ""}
          </Saved>
        )}
        <button type="submit" className="button button--primary" disabled={change.busy}>
          Change email
        </button>
      </form>
    </>
  );
}

function PasswordForm({ client }: { client: Client }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const save = useFormAction(async () => {
    if (next !== again) return { error: { code: "PASSWORDS_DIFFER" } };
    const result = await client.changePassword({ currentPassword: current, newPassword: next, revokeOtherSessions: signOutOthers });
    if (!result.error) {
      setCurrent("");
      setNext("");
      setAgain("");
    }
    return result;
  });
  return (
    <form onSubmit={save.onSubmit} aria-label="Change your password">
      <AuthField id="account-current-password" label="Current password" value={current} onValue={setCurrent} type="password" autoComplete="current-password" />
      <AuthField id="account-new-password" label="New password" value={next} onValue={setNext} type="password" autoComplete="new-password" minLength={8} />
      <AuthField id="account-new-password-again" label="New password, again" value={again} onValue={setAgain} type="password" autoComplete="new-password" minLength={8} />
      <div className="margin-bottom--md">
        <label>
          <input type="checkbox" checked={signOutOthers} onChange={(e) => setSignOutOthers(e.target.checked)} /> Sign out everywhere else
        </label>
      </div>
      <FormError error={save.error} />
      {save.done && <Saved>Your password is changed.</Saved>}
      <button type="submit" className="button button--primary" disabled={save.busy}>
        Change password
      </button>
    </form>
  );
}

function DeleteForm({ client, hasPassword, onDeleted, onSignInAgain }: { client: Client; hasPassword: boolean; onDeleted: () => void; onSignInAgain: () => void }) {
  const [password, setPassword] = useState("");
  const [sure, setSure] = useState(false);
  const remove = useFormAction(async () => {
    const result = await client.deleteUser(hasPassword ? { password } : {});
    if (!result.error) onDeleted();
    return result;
  });
  const stale = remove.error?.code === "SESSION_NOT_FRESH" || remove.error?.code === "SESSION_EXPIRED";
  return (
    <form onSubmit={remove.onSubmit} aria-label="Delete your account">
      <p>
        Your account, your profile, your sessions and everything this site keeps about you are deleted for good. Download your data first if you
        want to keep it.
      </p>
      {hasPassword ? (
        <AuthField id="account-delete-password" label="Your password" value={password} onValue={setPassword} type="password" autoComplete="current-password" />
      ) : (
        <p>You sign in without a password, so this needs a sign-in from the last 15 minutes.</p>
      )}
      <div className="margin-bottom--md">
        <label>
          <input type="checkbox" required checked={sure} onChange={(e) => setSure(e.target.checked)} /> I understand that this cannot be undone
        </label>
      </div>
      <FormError error={remove.error} />
      {stale && (
        <button type="button" className="button button--secondary margin-right--sm" onClick={onSignInAgain}>
          Sign in again
        </button>
      )}
      <button type="submit" className="button button--danger" style={DANGER_BUTTON_STYLE} disabled={remove.busy}>
        Delete my account
      </button>
    </form>
  );
}

/** `/account`: who is signed in, the profile, name, email, password, sessions, the data export, deletion and sign-out. */
export default function Account(): ReactNode {
  const { status, user, profile, client, paths, refetch, authBaseUrl } = useAuth();
  const features = useAccountFeatures();
  const navigate = useNavigate();
  // Signing out (or deleting the account) turns this page's reader into a visitor; without `leaving` the page would
  // send them to sign-in instead of the home page.
  const { signOut, error: signOutError, busy: signingOut, leaving } = useSignOut();
  const [hasPassword, setHasPassword] = useState<boolean | null>(null);

  useEffect(() => {
    if (status === "visitor" && !leaving.current) navigate(withRedirect(paths.signIn, paths.account), { replace: true });
  }, [status, paths.signIn, paths.account, navigate, leaving]);

  useEffect(() => {
    if (!client || !user) return;
    let live = true;
    void client.listAccounts().then(({ data }) => {
      if (live && data) setHasPassword(data.some((a) => a.providerId === "credential"));
    });
    return () => {
      live = false;
    };
  }, [client, user?.id]);

  const signInAgain = () => void signOut(withRedirect(paths.signIn, paths.account));

  if (status !== "reader" && status !== "incomplete") {
    return (
      <Layout title="Account">
        <AuthPlaceholder status={status} />
      </Layout>
    );
  }
  return (
    <Layout title="Account">
      <main className="container margin-vert--lg" style={{ maxWidth: "40rem" }}>
        <h1>Account</h1>
        <dl>
          <dt>Name</dt>
          <dd data-testid="account-name">{user?.name}</dd>
          <dt>Email</dt>
          <dd data-testid="account-email">{user?.email}</dd>
          <dt>Python</dt>
          <dd data-testid="account-proficiency" data-value={profile?.pythonProficiency ?? ""}>
            {profile?.pythonProficiency ? PYTHON_PROFICIENCY_LABELS[profile.pythonProficiency] : "Not answered yet"}
          </dd>
          <dt>Role</dt>
          <dd data-testid="account-role" data-value={profile?.developerRole ?? ""}>
            {profile?.developerRole ? DEVELOPER_ROLE_LABELS[profile.developerRole] : "Not answered yet"}
          </dd>
        </dl>
        <AccountSection title="Change your profile" name="profile">
          <ProfileForm submitLabel="Save profile" />
        </AccountSection>
        {client && user && (
          <>
            <AccountSection title="Name" name="name">
              <NameForm client={client} name={user.name} />
            </AccountSection>
            <AccountSection title="Email address" name="email">
              <EmailPart client={client} email={user.email} verified={user.emailVerified === true} features={features} />
            </AccountSection>
            <AccountSection title="Password" name="password">
              {hasPassword === false ? (
                <p>
                  You sign in through another provider, so your account has no password. To add one, use “Forgot password?” on the sign-in page.
                </p>
              ) : (
                <PasswordForm client={client} />
              )}
            </AccountSection>
            <AccountSection title="Sessions" name="sessions">
              <SessionList onSignInAgain={signInAgain} />
            </AccountSection>
            <AccountSection title="Your data" name="export">
              <p>Everything this site keeps about you, in one JSON file: your account, profile, sessions, sign-in methods and reading progress.</p>
              <a className="button button--secondary" href={`${authBaseUrl.replace(/\/$/, "")}/account/export`} download>
                Download my data
              </a>
            </AccountSection>
            <AccountSection title="Delete your account" name="delete">
              <DeleteForm
                client={client}
                hasPassword={hasPassword !== false}
                onDeleted={() => {
                  leaving.current = true;
                  void refetch();
                  navigate(paths.home);
                }}
                onSignInAgain={signInAgain}
              />
            </AccountSection>
          </>
        )}
        <AccountSection title="Sign out" name="sign-out">
          <FormError error={signOutError} />
          <button type="button" className="button button--secondary" disabled={signingOut} onClick={() => void signOut(paths.home)}>
            Sign out
          </button>
        </AccountSection>
      </main>
    </Layout>
  );
}
