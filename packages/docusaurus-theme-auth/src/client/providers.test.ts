import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseProviders, providerErrorFromSearch } from "./providers";

describe("parseProviders", () => {
  it("keeps well-formed entries in order", () => {
    const list = [
      { id: "github", name: "GitHub" },
      { id: "oidc", name: "University SSO" },
    ];
    assert.deepEqual(parseProviders({ providers: list }), list);
  });
  it("drops what the server would never send", () => {
    assert.deepEqual(parseProviders(null), []);
    assert.deepEqual(parseProviders({ providers: "github" }), []);
    assert.deepEqual(
      parseProviders({ providers: [{ id: "a b", name: "x" }, { id: "ok", name: "" }, { id: 3, name: "n" }, null, { id: "fine", name: "Fine" }] }),
      [{ id: "fine", name: "Fine" }],
    );
  });
});

describe("providerErrorFromSearch", () => {
  it("is null without an error", () => {
    assert.equal(providerErrorFromSearch("?redirect=%2Fdocs"), null);
  });
  it("upper-cases the code and gives a known one its own sentence", () => {
    const denied = providerErrorFromSearch("?redirect=%2Fdocs&error=access_denied&error_description=End-User+aborted");
    assert.equal(denied?.code, "ACCESS_DENIED");
    const generic = providerErrorFromSearch("?error=server_error")!;
    assert.equal(generic.code, "SERVER_ERROR");
    assert.notEqual(denied?.message, generic.message);
    assert.notEqual(providerErrorFromSearch("?error=account_not_linked")!.message, generic.message);
  });
  it("never shows the provider's free text, and refuses codes that are not codes", () => {
    const e = providerErrorFromSearch("?error=%3Cimg%20src%3Dx%3E&error_description=Call+555")!;
    assert.equal(e.code, "OAUTH_ERROR");
    assert.ok(!e.message.includes("555"));
  });
});
