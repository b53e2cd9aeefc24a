/**
 * A request's body read ahead of Better-Auth, for the one check that must run before Better-Auth's origin check (the
 * malformed-redirect guard: Better-Auth would answer some of those values 403, others a bare 500 after storing a
 * session). Better-Auth's own hooks get the body parsed (the sign-in throttle is one); this exists only because no
 * Better-Auth extension point runs before its origin check with the body parsed.
 *
 * It reads the body as Better-Auth's router (better-call) will: JSON, or an HTML form (urlencoded or multipart), where
 * the last of repeated fields wins. Reading it any other way lets a value slip past: a form-encoded body, or
 * `callbackURL=/ok&callbackURL=/%00`, would be checked as something else than Better-Auth acts on.
 */
export async function readBodyAsBetterAuth(request: Request): Promise<Record<string, unknown> | undefined> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  try {
    if (/^application\/([a-z0-9.+-]*\+)?json/.test(type)) {
      const json: unknown = await request.clone().json();
      return json !== null && typeof json === "object" ? (json as Record<string, unknown>) : undefined;
    }
    if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
      const form = await request.clone().formData();
      return Object.fromEntries([...new Set(form.keys())].map((key) => [key, form.getAll(key).at(-1)]));
    }
  } catch {
    // Unparseable: Better-Auth refuses it with its own 400.
  }
  return undefined;
}
