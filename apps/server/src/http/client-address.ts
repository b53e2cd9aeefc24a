/**
 * The client address Better-Auth sees (rate limits, session.ipAddress). A bare Node server hands Better-Auth no
 * address, and a client-supplied header must not be believed, so the HTTP layer writes its own header from the
 * socket, or from the last X-Forwarded-For entry when TRUST_PROXY says a proxy we run is in front.
 */
export const CLIENT_ADDRESS_HEADER = "x-textbook-client-address";

export function clientAddress(request: Request, socketAddress: string | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
    const last = forwarded?.at(-1);
    if (last) return last;
  }
  return socketAddress ?? "unknown";
}

/** Sets our header on the incoming request, replacing any client-sent copy. In place: cloning a Request per call
 * cost more than Better-Auth's whole get-session. */
export function withClientAddress(request: Request, address: string): Request {
  request.headers.set(CLIENT_ADDRESS_HEADER, address);
  return request;
}
