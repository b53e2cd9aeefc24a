import http from "node:http";

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

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, redirect: RequestRedirect = "follow") {
    const h = new Headers(headers);
    if (this.cookies.size && !h.has("cookie")) h.set("cookie", this.cookieHeader);
    if (method !== "GET" && !h.has("origin")) h.set("origin", this.origin);
    let payload: string | undefined;
    if (typeof body === "string") payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      if (!h.has("content-type")) h.set("content-type", "application/json");
    }
    const response = await fetch(path.startsWith("http") ? path : this.baseUrl + path, { method, headers: h, body: payload, redirect });
    this.keepCookies(response);
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  /**
   * Opens a link as a browser would from a mail: a GET of the absolute URL, keeping the cookies it sets. Redirects
   * are not followed: the answer's `location` says where the browser would go.
   */
  async open(url: string) {
    if (!url.startsWith(this.baseUrl + "/")) throw new Error(`${url} is not on ${this.baseUrl}`);
    const r = await this.request("GET", url, undefined, {}, "manual");
    return { ...r, location: r.headers.get("location") };
  }

  private keepCookies(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** The Cookie header this client sends, for requests that must carry it from elsewhere (CSRF). */
  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
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

/**
 * Sends the request target exactly as written. fetch would resolve dot segments and refuse absolute-form targets
 * before they leave the process, so attacks on how the server reads its own paths need this.
 */
export function sendRaw(
  baseUrl: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; json: any }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, method, path: target, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let json: any = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode!, headers: response.headers, text, json });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}
