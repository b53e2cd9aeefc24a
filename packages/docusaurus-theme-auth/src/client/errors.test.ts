import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toDisplayError } from "./errors";

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
});
