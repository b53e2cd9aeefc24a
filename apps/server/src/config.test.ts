import { test } from "node:test";
import assert from "node:assert/strict";
import { loadDotEnv, ConfigError, checkSecretStrength, loadConfig, loopbackAliases } from "./config";

const STRONG = "kQ3v9XbP2mZ7rT1yW8sL4nH6jF0dC5aE";

test("defaults: development, localhost:3000 origin, embedded database, backend on 8000", () => {
  const c = loadConfig({});
  assert.equal(c.nodeEnv, "development");
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, "http://localhost:3000");
  assert.deepEqual(c.trustedOrigins, ["http://localhost:3000", "http://127.0.0.1:3000"]);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.backendUrl, "http://127.0.0.1:8000");
  assert.equal(c.startBackend, true);
});

test("PORT moves the default origin; empty variables count as unset", () => {
  const c = loadConfig({ PORT: "4100", DATABASE_URL: "" });
  assert.equal(c.publicUrl, "http://localhost:4100");
  assert.equal(c.databaseUrl, undefined);
});

test("TRUSTED_ORIGINS adds origins and refuses non-URLs, naming the variable", () => {
  const c = loadConfig({ NODE_ENV: "test", TRUSTED_ORIGINS: "https://a.example, https://b.example/path, https://a.example" });
  assert.deepEqual(c.trustedOrigins, ["http://localhost:3000", "https://a.example", "https://b.example"]);
  assert.throws(() => loadConfig({ TRUSTED_ORIGINS: "not a url" }), (e: Error) => e instanceof ConfigError && /TRUSTED_ORIGINS/.test(e.message));
});

test("TRUSTED_ORIGINS takes exact origins only: a wildcard (Better-Auth's pattern, a letter to the backend) stops the start", () => {
  for (const value of ["https://*.example.com", "https://docs.example.com,https://*"]) {
    assert.throws(() => loadConfig({ TRUSTED_ORIGINS: value }), (e: Error) => e instanceof ConfigError && /TRUSTED_ORIGINS/.test(e.message) && /wildcard/.test(e.message), value);
  }
});

test("COOKIE_DOMAIN: unset is host-only cookies; PUBLIC_URL's host or a parent of it, lower-cased", () => {
  assert.equal(loadConfig({}).cookieDomain, undefined);
  assert.equal(loadConfig({ PUBLIC_URL: "https://auth.example.com", COOKIE_DOMAIN: "Example.COM", BETTER_AUTH_SECRET: STRONG }).cookieDomain, "example.com");
  assert.equal(loadConfig({ PUBLIC_URL: "https://auth.example.com", COOKIE_DOMAIN: "auth.example.com", BETTER_AUTH_SECRET: STRONG }).cookieDomain, "auth.example.com");
  assert.equal(loadConfig({ PUBLIC_URL: "http://auth.textbook.test:3000", COOKIE_DOMAIN: "textbook.test" }).cookieDomain, "textbook.test");
});

test("COOKIE_DOMAIN that a browser would refuse, or that is not above PUBLIC_URL's host, stops the start naming the variable", () => {
  const auth = "https://auth.example.com";
  for (const [publicUrl, domain] of [
    [auth, ".example.com"], // the leading dot: browsers ignore it, so it says nothing but confuses comparisons
    [auth, "other.example"], // not a parent: every Set-Cookie would be refused
    [auth, "xample.com"], // a suffix of the host, not a parent domain
    [auth, "docs.example.com"], // a sibling, not a parent
    [auth, "com"], // one label
    [auth, "https://example.com"],
    [auth, "example.com:443"],
    [auth, "example.com/path"],
    ["http://127.0.0.1:3000", "127.0.0.1"], // an address takes no Domain cookies
    ["http://localhost:3000", "localhost"],
  ] as const) {
    assert.throws(
      () => loadConfig({ PUBLIC_URL: publicUrl, COOKIE_DOMAIN: domain, BETTER_AUTH_SECRET: STRONG }),
      (e: Error) => e instanceof ConfigError && e.message.startsWith("COOKIE_DOMAIN"),
      `${publicUrl} ${domain}`,
    );
  }
});

test("bad values name the variable", () => {
  for (const [name, value] of [
    ["PORT", "eighty"],
    ["PUBLIC_URL", "ftp://x"],
    ["NODE_ENV", "staging"],
    ["DATABASE_URL", "mysql://x"],
    ["START_BACKEND", "maybe"],
    ["PROXY_MAX_BODY_BYTES", "1MB"],
    ["HTTP_HEADERS_TIMEOUT_MS", "0"],
    ["HTTP_REQUEST_TIMEOUT_MS", "soon"],
  ] as const) {
    assert.throws(() => loadConfig({ [name]: value }), (e: Error) => e instanceof ConfigError && e.message.includes(name), name);
  }
});

test("a headers timeout longer than the request timeout is refused, naming both", () => {
  assert.throws(
    () => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "10000" }),
    (e: Error) => e instanceof ConfigError && /HTTP_HEADERS_TIMEOUT_MS/.test(e.message) && /HTTP_REQUEST_TIMEOUT_MS/.test(e.message),
  );
});

test("production requires a strong BETTER_AUTH_SECRET, an https PUBLIC_URL and a DATABASE_URL", () => {
  const prod = { NODE_ENV: "production", PUBLIC_URL: "https://book.example", DATABASE_URL: "postgres://u:p@db.example/book" };
  assert.throws(() => loadConfig(prod), /BETTER_AUTH_SECRET/);
  assert.throws(() => loadConfig({ ...prod, BETTER_AUTH_SECRET: "short" }), /BETTER_AUTH_SECRET/);
  assert.throws(() => loadConfig({ ...prod, BETTER_AUTH_SECRET: "a".repeat(40) }), /BETTER_AUTH_SECRET/);
  assert.throws(() => loadConfig({ NODE_ENV: "production", BETTER_AUTH_SECRET: STRONG }), /PUBLIC_URL/);
  assert.equal(loadConfig({ ...prod, BETTER_AUTH_SECRET: STRONG }).publicUrl, "https://book.example");
  // Not the embedded PostgreSQL, whose data would live on this machine's disk only.
  const { DATABASE_URL: _, ...embedded } = prod;
  assert.throws(() => loadConfig({ ...embedded, BETTER_AUTH_SECRET: STRONG }), (e: Error) => e instanceof ConfigError && /DATABASE_URL/.test(e.message));
  // Not a cookie in clear over http, except on loopback where no reader elsewhere can reach it.
  assert.throws(() => loadConfig({ ...prod, BETTER_AUTH_SECRET: STRONG, PUBLIC_URL: "http://book.example" }), (e: Error) => e instanceof ConfigError && /PUBLIC_URL/.test(e.message));
  assert.equal(loadConfig({ ...prod, BETTER_AUTH_SECRET: STRONG, PUBLIC_URL: "http://127.0.0.1:3000" }).publicUrl, "http://127.0.0.1:3000");
});

test("secret strength", () => {
  assert.equal(checkSecretStrength(STRONG), null);
  assert.notEqual(checkSecretStrength("changeme"), null);
  assert.notEqual(checkSecretStrength("abababababababababababababababababab"), null);
});

const WEAK_SECRETS = {
  short: "short",
  placeholder: "changeme",
  "Better-Auth's public default": "better-auth-secret-12345678901234567890",
  "low variety": "abababababababababababababababababab",
};

test("an https:// PUBLIC_URL with a weak BETTER_AUTH_SECRET is refused whatever NODE_ENV says, naming the variable", () => {
  for (const nodeEnv of ["development", "test", "production"]) {
    for (const [kind, secret] of Object.entries(WEAK_SECRETS)) {
      assert.throws(
        () => loadConfig({ NODE_ENV: nodeEnv, PUBLIC_URL: "https://book.example", BETTER_AUTH_SECRET: secret, DATABASE_URL: "postgres://u:p@db/x" }),
        (e: Error) => e instanceof ConfigError && e.message.startsWith("BETTER_AUTH_SECRET"),
        `${nodeEnv}, ${kind}`,
      );
    }
  }
  // Control: a strong secret, or none (a generated one), starts.
  assert.deepEqual(loadConfig({ PUBLIC_URL: "https://book.example", BETTER_AUTH_SECRET: STRONG }).warnings, []);
  assert.deepEqual(loadConfig({ PUBLIC_URL: "https://book.example" }).warnings, []);
});

test("outside production on http, a weak BETTER_AUTH_SECRET starts with a warning naming the variable", () => {
  for (const [kind, secret] of Object.entries(WEAK_SECRETS)) {
    const config = loadConfig({ BETTER_AUTH_SECRET: secret });
    assert.equal(config.warnings.length, 1, kind);
    assert.match(config.warnings[0]!, /^BETTER_AUTH_SECRET /, kind);
  }
  assert.deepEqual(loadConfig({ BETTER_AUTH_SECRET: STRONG }).warnings, []);
  assert.deepEqual(loadConfig({}).warnings, []);
});

test("development trusts both loopback spellings of a loopback public URL; nothing else does", () => {
  assert.deepEqual(loadConfig({ PORT: "4100" }).trustedOrigins, ["http://localhost:4100", "http://127.0.0.1:4100"]);
  assert.deepEqual(loadConfig({ PUBLIC_URL: "http://127.0.0.1:4100" }).trustedOrigins, ["http://127.0.0.1:4100", "http://localhost:4100"]);
  // Another port on loopback is another origin, and a real host has no alias.
  assert.deepEqual(loadConfig({ PUBLIC_URL: "https://book.example" }).trustedOrigins, ["https://book.example"]);
  assert.deepEqual(loadConfig({ NODE_ENV: "test" }).trustedOrigins, ["http://localhost:3000"]);
  const prod = loadConfig({ NODE_ENV: "production", PUBLIC_URL: "http://localhost:3000", BETTER_AUTH_SECRET: STRONG, DATABASE_URL: "postgres://u:p@db/x" });
  assert.deepEqual(prod.trustedOrigins, ["http://localhost:3000"]);
  assert.deepEqual(loopbackAliases("http://localhost.example:3000"), []);
});

test("ports left at their defaults may move; set ones (or BACKEND_URL) may not", () => {
  const defaults = loadConfig({});
  assert.equal(defaults.embeddedPgPort, 5433);
  assert.equal(defaults.embeddedPgPortFixed, false);
  assert.equal(defaults.backendPortFixed, false);
  assert.equal(loadConfig({ EMBEDDED_PG_PORT: "5433" }).embeddedPgPortFixed, true);
  assert.equal(loadConfig({ BACKEND_PORT: "8000" }).backendPortFixed, true);
  assert.equal(loadConfig({ BACKEND_URL: "http://127.0.0.1:9000" }).backendPortFixed, true);
  assert.equal(loadConfig({ EMBEDDED_PG_PORT: "" }).embeddedPgPortFixed, false);
});

test("mail: SMTP_URL sends through SMTP; development without it keeps a mailbox under DATA_DIR; otherwise off", () => {
  const smtp = loadConfig({ SMTP_URL: "smtps://user:pw@mail.example:465", MAIL_FROM: "Books <books@mail.example>" });
  assert.deepEqual(smtp.mail, { kind: "smtp", url: "smtps://user:pw@mail.example:465", from: "Books <books@mail.example>" });
  const dev = loadConfig({ DATA_DIR: "/tmp/some-data" });
  assert.deepEqual(dev.mail, { kind: "mailbox", dir: "/tmp/some-data/mail", from: "Textbook <no-reply@localhost>" });
  assert.equal(loadConfig({ NODE_ENV: "test" }).mail.kind, "off");
  assert.equal(loadConfig({ NODE_ENV: "test" }).warnings.length, 0);
});

test("mail: production without SMTP_URL starts with mail off and says so", () => {
  const prod = { NODE_ENV: "production", PUBLIC_URL: "https://book.example", BETTER_AUTH_SECRET: STRONG, DATABASE_URL: "postgres://u:p@db/x" };
  const c = loadConfig(prod);
  assert.equal(c.mail.kind, "off");
  assert.ok(c.warnings.some((w) => /Mail is off/.test(w) && /SMTP_URL/.test(w)), String(c.warnings));
  assert.equal(loadConfig({ ...prod, SMTP_URL: "smtp://m.example" }).warnings.length, 0);
});

test("mail: bad values name the variable; REQUIRE_EMAIL_VERIFICATION without mail is refused", () => {
  for (const [name, value] of [
    ["SMTP_URL", "http://mail.example"],
    ["SMTP_URL", "not a url"],
    ["MAIL_FROM", "Books <books@mail.example>\r\nBcc: everyone@example.com"],
    ["MAIL_FROM", "no address here"],
    ["REQUIRE_EMAIL_VERIFICATION", "maybe"],
  ] as const) {
    assert.throws(() => loadConfig({ [name]: value }), (e: Error) => e instanceof ConfigError && e.message.includes(name), `${name}=${value}`);
  }
  assert.throws(() => loadConfig({ NODE_ENV: "test", REQUIRE_EMAIL_VERIFICATION: "true" }), (e: Error) => e instanceof ConfigError && /REQUIRE_EMAIL_VERIFICATION/.test(e.message) && /SMTP_URL/.test(e.message));
  assert.equal(loadConfig({ REQUIRE_EMAIL_VERIFICATION: "true" }).requireEmailVerification, true, "the development mailbox is mail");
});

test("social sign-in: each provider is on only with all of its variables, and a half-set group names what is missing", () => {
  assert.deepEqual(loadConfig({}).socialProviders, {});
  const all = {
    GITHUB_CLIENT_ID: "gh",
    GITHUB_CLIENT_SECRET: "gh-secret",
    GOOGLE_CLIENT_ID: "g",
    GOOGLE_CLIENT_SECRET: "g-secret",
    OIDC_ISSUER: "https://login.example.edu/realms/books/",
    OIDC_CLIENT_ID: "textbook",
    OIDC_CLIENT_SECRET: "oidc-secret",
    OIDC_NAME: " University SSO ",
  };
  assert.deepEqual(loadConfig(all).socialProviders, {
    github: { clientId: "gh", clientSecret: "gh-secret" },
    google: { clientId: "g", clientSecret: "g-secret" },
    oidc: { issuer: "https://login.example.edu/realms/books", clientId: "textbook", clientSecret: "oidc-secret", name: "University SSO" },
  });
  for (const missing of Object.keys(all)) {
    const env: Record<string, string> = { ...all, [missing]: "" };
    assert.throws(
      () => loadConfig(env),
      (e: Error) => e instanceof ConfigError && e.message.startsWith(missing),
      missing,
    );
  }
  assert.throws(() => loadConfig({ OIDC_ISSUER: "not a url", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b", OIDC_NAME: "c" }), /OIDC_ISSUER/);
});

test("production refuses an OpenID issuer over plain HTTP", () => {
  const oidc = { OIDC_ISSUER: "http://login.example.edu", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b", OIDC_NAME: "SSO" };
  const prod = { NODE_ENV: "production", PUBLIC_URL: "https://book.example", BETTER_AUTH_SECRET: STRONG, DATABASE_URL: "postgres://u:p@db/x" };
  assert.throws(() => loadConfig({ ...prod, ...oidc }), (e: Error) => e instanceof ConfigError && /OIDC_ISSUER/.test(e.message));
  assert.equal(loadConfig({ ...prod, ...oidc, OIDC_ISSUER: "https://login.example.edu" }).socialProviders.oidc?.issuer, "https://login.example.edu");
});

test("PROFILE_FIELDS: the default questions, a site's own file, and a bad file named", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  assert.deepEqual(loadConfig({}).profileFields.map((f) => f.name), ["pythonProficiency", "developerRole"]);
  const dir = mkdtempSync(path.join(os.tmpdir(), "profile-fields-"));
  const good = path.join(dir, "good.json");
  writeFileSync(good, JSON.stringify({ level: { column: "level", enumType: "level", question: "Level?", input: "radio", values: { a: "A" } } }));
  assert.deepEqual(loadConfig({ PROFILE_FIELDS: good }).profileFields.map((f) => f.column), ["level"]);
  const bad = path.join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ level: { column: "user_id", enumType: "level", question: "Level?", input: "radio", values: { a: "A" } } }));
  for (const file of [bad, path.join(dir, "missing.json")]) {
    assert.throws(() => loadConfig({ PROFILE_FIELDS: file }), (e: Error) => e instanceof ConfigError && e.message.startsWith("PROFILE_FIELDS"), file);
  }
});

test(".env fills what the environment leaves unset, and is never read under NODE_ENV=test", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "dotenv-")), ".env");
  writeFileSync(file, "DOTENV_TEST_SET=from-file\nDOTENV_TEST_UNSET=from-file\n");
  const saved = process.env.NODE_ENV;
  try {
    process.env.DOTENV_TEST_SET = "from-environment";
    loadDotEnv(file); // NODE_ENV=test here, as in every test
    assert.equal(process.env.DOTENV_TEST_UNSET, undefined);
    process.env.NODE_ENV = "development";
    loadDotEnv(file);
    assert.equal(process.env.DOTENV_TEST_SET, "from-environment");
    assert.equal(process.env.DOTENV_TEST_UNSET, "from-file");
  } finally {
    process.env.NODE_ENV = saved;
    delete process.env.DOTENV_TEST_SET;
    delete process.env.DOTENV_TEST_UNSET;
  }
});
