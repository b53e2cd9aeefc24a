/**
 * A small HTTP client that behaves like a browser on the product's origin: it keeps cookies and sends the
 * Origin header Better-Auth's CSRF check expects on unsafe requests.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly origin: string = baseUrl,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h = new Headers(headers);
    if (this.cookies.size && !h.has("cookie")) {
      h.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    if (method !== "GET" && !h.has("origin")) h.set("origin", this.origin);
    let payload: string | undefined;
    if (typeof body === "string") payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      if (!h.has("content-type")) h.set("content-type", "application/json");
    }
    const response = await fetch(this.baseUrl + path, { method, headers: h, body: payload });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  get = (path: string, headers?: Record<string, string>) => this.request("GET", path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request("POST", path, body, headers);

  /** Signs up a fresh reader; returns the user id. */
  async signUp(email: string, password = "correct horse battery", name = "Reader") {
    const r = await this.post("/api/auth/sign-up/email", { email, password, name });
    if (r.status !== 200) throw new Error(`sign-up failed: ${r.status} ${r.text}`);
    return r.json.user.id as string;
  }
}
