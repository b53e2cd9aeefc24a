/**
 * The client address Better-Auth sees (rate limits, session.ipAddress, the sign-in throttle). A bare Node server hands
 * Better-Auth no address, and a client-supplied header must not be believed, so the HTTP layer decides it from the
 * socket, or from the last X-Forwarded-For entry when TRUST_PROXY says a proxy we run is in front, and hands it to
 * Better-Auth in its own header (auth-route.ts), the one Better-Auth's `advanced.ipAddress` is told to read.
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
