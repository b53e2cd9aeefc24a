/**
 * Reading Better-Auth's signed session cookie outside Better-Auth, exactly as it does (better-call's cookie parser and
 * `getSignedCookie`): the first pair of a name wins, values are trimmed, a quoted value loses its quotes and a value
 * is percent-decoded when it can be; the value is `token.signature`, the signature the standard base64 of
 * HMAC-SHA256(secret, token), 44 characters. Compared in constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The cookies of one Cookie header, first occurrence of a name kept. */
export function parseCookieHeader(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  let index = 0;
  while (index < header.length) {
    const eq = header.indexOf("=", index);
    if (eq === -1) break;
    let end = header.indexOf(";", index);
    if (end === -1) end = header.length;
    else if (end < eq) {
      index = header.lastIndexOf(";", eq - 1) + 1;
      continue;
    }
    const name = header.slice(index, eq).trim();
    if (!cookies.has(name)) {
      let value = header.slice(eq + 1, end).trim();
      if (value.codePointAt(0) === 34) value = value.slice(1, -1);
      cookies.set(name, tryDecode(value));
    }
    index = end + 1;
  }
  return cookies;
}

function tryDecode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The token a signed cookie value carries (percent-encoded or not), or null when its signature is not the secret's.
 * Only Better-Auth's own spelling of a signature, standard base64 with padding: Buffer.from would also take others.
 */
export function verifySignedValue(raw: string, secret: string): string | null {
  let value = raw;
  if (raw.includes("%")) {
    try {
      value = decodeURIComponent(raw);
    } catch {
      return null;
    }
  }
  const dot = value.lastIndexOf(".");
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const signature = value.slice(dot + 1);
  if (!/^[A-Za-z0-9+/]{43}=$/.test(signature)) return null;
  const expected = createHmac("sha256", secret).update(token).digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
}
