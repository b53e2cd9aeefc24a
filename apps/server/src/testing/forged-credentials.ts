/**
 * A generated corpus of malformed and forged session credentials, for the attack suite: every entry must be
 * refused by both servers, and none may cause a 5xx. Built from a real, valid signed token so that near-misses
 * (one flipped bit, the right token signed with the wrong secret) are included, not just garbage.
 */
import { createHmac, randomBytes } from "node:crypto";
import { SESSION_COOKIE as COOKIE } from "@textbook-auth/onboarding/contract";

export interface ForgedCredential {
  name: string;
  headers: Record<string, string>;
}

const sign = (token: string, secret: string) => createHmac("sha256", secret).update(token).digest("base64");

/** `valid` is a real cookie value (percent-encoded `token.signature`) issued by the server in this run. */
export function forgedCredentials(valid: string, count = 1200): ForgedCredential[] {
  const decoded = decodeURIComponent(valid);
  const dot = decoded.lastIndexOf(".");
  const token = decoded.slice(0, dot);
  const signature = decoded.slice(dot + 1);
  const values: [string, string][] = [];
  const add = (name: string, value: string) => values.push([name, value]);

  add("empty", "");
  add("token without signature", token);
  add("signature without token", "." + signature);
  add("only a dot", ".");
  add("unencoded valid form", decoded.replace(/=/g, "")); // padding stripped
  add("double-encoded", encodeURIComponent(valid));
  add("wrong secret", encodeURIComponent(`${token}.${sign(token, "not-the-secret-not-the-secret-00")}`));
  add("empty secret", encodeURIComponent(`${token}.${sign(token, "")}`));
  add("unknown token, signature made with a guessed secret", encodeURIComponent(`${randomBytes(24).toString("base64url")}.${sign("x", "secret")}`));
  add("truncated signature", encodeURIComponent(`${token}.${signature.slice(0, 43)}`));
  add("signature of another token", encodeURIComponent(`${token}.${sign(token + "x", "y")}`));
  // (The valid signature re-encoded as base64url is not in the corpus: Better-Auth's bearer plugin accepts it, and
  // it is the genuine credential in another spelling, not a forgery.)
  add("non-ASCII token", encodeURIComponent(`tökén.${signature}`));
  add("emoji", encodeURIComponent(`🔑🔑.${signature}`));
  add("NUL byte", `${token}%00.${encodeURIComponent(signature)}`);
  add("very long", "A".repeat(8000));
  add("bad percent-encoding", `${token}.%E0%A4%A`);
  add("SQL in token", encodeURIComponent(`' OR 1=1 --.${signature}`));
  add("many dots", encodeURIComponent(`${token}.${token}.${signature}`));

  // One flipped bit in every signature position, and one changed character in every token position.
  const sigBytes = Buffer.from(signature, "base64");
  for (let i = 0; i < sigBytes.length; i++) {
    for (const bit of [0, 7]) {
      const b = Buffer.from(sigBytes);
      b[i]! ^= 1 << bit;
      add(`signature byte ${i} bit ${bit} flipped`, encodeURIComponent(`${token}.${b.toString("base64")}`));
    }
  }
  for (let i = 0; i < token.length; i++) {
    const t = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
    add(`token char ${i} changed, old signature`, encodeURIComponent(`${t}.${signature}`));
  }
  // Random garbage of many shapes until the corpus is large enough.
  let n = 0;
  while (values.length < count) {
    const len = 1 + ((n * 37) % 200);
    const bytes = randomBytes(len);
    const shape = n % 4;
    const value =
      shape === 0 ? bytes.toString("base64")
      : shape === 1 ? encodeURIComponent(`${bytes.toString("base64url").slice(0, 32)}.${randomBytes(32).toString("base64")}`)
      : shape === 2 ? bytes.toString("hex")
      : encodeURIComponent(bytes.toString("latin1"));
    add(`random ${shape} #${n}`, value);
    n++;
  }

  const out: ForgedCredential[] = [];
  values.forEach(([name, value], i) => {
    // Alternate the carriers: cookie, secure-prefixed cookie, duplicated cookie (forged first), bearer header.
    switch (i % 4) {
      case 0: out.push({ name: `cookie: ${name}`, headers: { cookie: `${COOKIE}=${value}` } }); break;
      case 1: out.push({ name: `__Secure- cookie: ${name}`, headers: { cookie: `__Secure-${COOKIE}=${value}` } }); break;
      case 2: out.push({ name: `duplicated cookie: ${name}`, headers: { cookie: `${COOKIE}=${value}; ${COOKIE}=${value}` } }); break;
      default: out.push({ name: `bearer: ${name}`, headers: { authorization: `Bearer ${value}` } });
    }
  });
  return out.filter((c) => Object.values(c.headers).every((v) => /^[\x20-\x7e]*$/.test(v)));
}
