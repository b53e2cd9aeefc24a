import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { normalizePluginOptions } from "@docusaurus/utils-validation";
import { validateOptions, DEFAULT_OPTIONS, type Options } from "./options";
import { FIXED_PAGE_PATHS } from "./client/paths";

// The same `validate` Docusaurus core passes to a plugin's validateOptions.
const validate = (options: Options) => validateOptions({ validate: normalizePluginOptions, options });

function rejects(options: unknown, option: string) {
  assert.throws(
    () => validate(options as Options),
    (error: Error) => {
      // The message must name the offending option so the site author knows what to fix.
      assert.match(error.message, new RegExp(option));
      return true;
    },
  );
}

describe("options", () => {
  it("fills every default", () => {
    assert.deepEqual(validate({}), { id: "default", ...DEFAULT_OPTIONS });
  });

  it("defaults protect the docs and point at the same-origin auth API", () => {
    const options = validate({});
    assert.deepEqual(options.protectedRoutes, ["/docs/**"]);
    assert.equal(options.authBaseUrl, "/api/auth");
    assert.equal(options.onboardingPath, "/onboarding");
  });

  it("keeps valid values", () => {
    const options = validate({
      authBaseUrl: "https://auth.example.com/api/auth",
      protectedRoutes: ["/docs/**", "/backend"],
      publicRoutes: ["/docs/intro"],
      onboardingPath: "/welcome",
    });
    assert.equal(options.authBaseUrl, "https://auth.example.com/api/auth");
    assert.deepEqual(options.publicRoutes, ["/docs/intro"]);
    assert.equal(options.onboardingPath, "/welcome");
  });

  it("rejects an auth URL that is neither a site path nor http(s)", () => {
    for (const bad of ["api/auth", "//evil.example/api/auth", "javascript:alert(1)", "ftp://x.example", 42]) {
      rejects({ authBaseUrl: bad }, "authBaseUrl");
    }
  });

  it("rejects route globs that are not site paths", () => {
    for (const bad of ["docs/**", "//evil.example/**", "https://x.example/docs", "/docs /a", 7]) {
      rejects({ protectedRoutes: [bad] }, "protectedRoutes");
      rejects({ publicRoutes: [bad] }, "publicRoutes");
    }
    rejects({ protectedRoutes: "/docs/**" }, "protectedRoutes");
  });

  it("rejects an onboarding path that is not a path or collides with a theme page", () => {
    for (const bad of ["onboarding", "//evil.example", ...FIXED_PAGE_PATHS]) rejects({ onboardingPath: bad }, "onboardingPath");
  });

  it("rejects unknown options instead of ignoring a typo", () => {
    rejects({ protectedRoute: ["/docs/**"] }, "protectedRoute");
  });
});
