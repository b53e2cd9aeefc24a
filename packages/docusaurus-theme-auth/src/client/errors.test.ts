import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BASE_ERROR_CODES } from "@better-auth/core/error";
import { ERRORS } from "../../../onboarding/src/contract";
import { READER_MESSAGES, toDisplayError } from "./errors";

/** Codes the pages raise themselves, before any request. */
const PAGE_CODES = ["PASSWORDS_DIFFER", "SAME_EMAIL"];
/**
 * Better-Auth codes outside BASE_ERROR_CODES: written inline by /request-password-reset, and the code an APIError
 * thrown with a status only carries (its session middleware's 401).
 */
const BETTER_AUTH_INLINE = ["RESET_PASSWORD_DISABLED", "UNAUTHORIZED"];

describe("toDisplayError", () => {
  it("keeps the server's code", () => {
    assert.equal(toDisplayError({ code: "INVALID_EMAIL_OR_PASSWORD", status: 401 }).code, "INVALID_EMAIL_OR_PASSWORD");
    assert.equal(toDisplayError({ code: "INVALID_PROFILE", status: 400 }).code, "INVALID_PROFILE");
  });

  it("names a bare 429 RATE_LIMITED and anything else UNKNOWN", () => {
    assert.equal(toDisplayError({ status: 429 }).code, "RATE_LIMITED");
    assert.equal(toDisplayError({ status: 500 }).code, "UNKNOWN");
    assert.equal(toDisplayError(null).code, "UNKNOWN");
    assert.equal(toDisplayError(new TypeError("fetch failed")).code, "UNKNOWN");
  });

  it("gives a known code its own sentence and an unknown one the generic sentence", () => {
    const generic = toDisplayError(null).message;
    assert.notEqual(toDisplayError({ code: "INVALID_EMAIL_OR_PASSWORD" }).message, generic);
    assert.equal(toDisplayError({ code: "SOMETHING_NEW" }).message, generic);
  });

  it("words only codes that exist: the contract's, Better-Auth's or the pages' own", () => {
    const known = new Set([...Object.keys(ERRORS), ...Object.keys(BASE_ERROR_CODES), ...BETTER_AUTH_INLINE, ...PAGE_CODES]);
    assert.deepEqual(Object.keys(READER_MESSAGES).filter((code) => !known.has(code)), []);
  });

  it("has a sentence for every contract code the pages can meet", () => {
    const met = ["UNAUTHENTICATED", "INVALID_PROFILE", "AUTH_UNAVAILABLE", "UPSTREAM_UNAVAILABLE", "RATE_LIMITED", "TOO_MANY_ATTEMPTS",
      "PASSWORD_REQUIRED", "SESSION_NOT_FRESH"] as const;
    for (const code of met) assert.ok(code in ERRORS && READER_MESSAGES[code], code);
  });
});
