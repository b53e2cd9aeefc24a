/**
 * The one list of hostile redirect targets, each named for the trick it plays. Every value must leave a reader on
 * this site: the `?redirect=` sanitiser falls back to the home page, Better-Auth refuses it as a callbackURL (or
 * keeps the reader on this origin), and the site's pages land on home. Three suites read this list (the
 * sanitiser's unit test, the HTTP attack suite in apps/server/src/http/attacks.test.ts and the browser journey in
 * apps/site/e2e), so a new trick added here is tried everywhere at once.
 */

export interface HostileRedirect {
  /** The trick, as a test name: what a naive check would miss. */
  attack: string;
  value: string;
}

export const HOSTILE_REDIRECTS: readonly HostileRedirect[] = [
  { attack: "absolute URL", value: "https://evil.example" },
  { attack: "absolute URL with a path", value: "http://evil.example/docs" },
  { attack: "upper-case scheme", value: "HTTPS://evil.example" },
  { attack: "scheme without slashes", value: "https:evil.example" },
  { attack: "scheme with one slash", value: "https:/evil.example" },
  { attack: "look-alike of the local host", value: "http://127.0.0.1.evil.example/" },
  { attack: "our host as userinfo before the real host", value: "https://127.0.0.1@evil.example" },
  { attack: "protocol-relative URL", value: "//evil.example" },
  { attack: "protocol-relative URL with a path", value: "//evil.example/docs" },
  { attack: "three slashes", value: "///evil.example" },
  { attack: "leading space before //", value: " //evil.example" },
  { attack: "backslash read as a slash", value: "/\\evil.example" },
  { attack: "two backslashes", value: "\\\\evil.example" },
  { attack: "backslash then slash", value: "\\/evil.example" },
  { attack: "tab inside // (browsers strip it)", value: "/\t/evil.example" },
  { attack: "newline inside // (browsers strip it)", value: "/\n/evil.example" },
  { attack: "dot segment collapsing into //", value: "/.//evil.example" },
  { attack: "dot-dot segment collapsing into //", value: "/docs/..//evil.example" },
  { attack: "percent-encoded //", value: "%2F%2Fevil.example" },
  { attack: "percent-encoded // in lower case", value: "%2f%2fevil.example" },
  { attack: "percent-encoded // after a slash", value: "/%2F%2Fevil.example" },
  { attack: "percent-encoded second slash", value: "/%2F/evil.example" },
  { attack: "slash then percent-encoded slash", value: "/%2Fevil.example" },
  { attack: "percent-encoded backslash", value: "/%5Cevil.example" },
  { attack: "percent-encoded backslash in lower case", value: "/%5cevil.example" },
  { attack: "two percent-encoded backslashes", value: "%5C%5Cevil.example" },
  { attack: "double percent-encoded //", value: "/%252F%252Fevil.example" },
  { attack: "percent-encoded tab inside //", value: "/%09/evil.example" },
  { attack: "CRLF header injection", value: "/%0D%0ALocation:%20https://evil.example" },
  { attack: "javascript: URL", value: "javascript:alert(1)" },
  { attack: "mixed-case javascript: URL", value: "JaVaScRiPt:alert(1)" },
  { attack: "tab inside javascript:", value: "java\tscript:alert(1)" },
  { attack: "percent-encoded javascript:", value: "%6A%61vascript:alert(1)" },
  { attack: "data: URL", value: "data:text/html,<script>alert(1)</script>" },
  { attack: "vbscript: URL", value: "vbscript:msgbox(1)" },
  { attack: "bare host name", value: "evil.example" },
  { attack: "malformed percent-encoding (throws in a naive decoder)", value: "/%E0%A4%A" },
  { attack: "oversized value", value: "/" + "a".repeat(5000) },
];
