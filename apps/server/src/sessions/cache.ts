/**
 * Validated sessions kept in memory, trusted only while change notifications are proven to arrive (see
 * listener.ts). The same contract as the Python package's cache (better_auth_fastapi/cache.py): an entry never
 * outlives its session's expiry or `ttlMs`; a read that raced a change is never stored (a generation counter moves
 * on every change and every clear); a lapse of trust empties the cache.
 */
export interface CachedSession {
  token: string;
  userId: string;
  /** Epoch ms; the entry is dropped at this time at the latest. */
  expiresAt: number;
}

interface Entry<T> {
  value: T;
  userId: string;
  until: number;
}

export interface SessionCacheOptions {
  /** Least recently used entries are dropped beyond this. Default 10,000. */
  maxEntries?: number;
  /** The longest an entry is served without a fresh read, in ms. Default 60,000. */
  ttlMs?: number;
  /** The clock, for tests. Default Date.now. */
  now?: () => number;
}

export class SessionCache<T extends CachedSession> {
  readonly maxEntries: number;
  readonly ttlMs: number;
  private readonly now: () => number;
  /** Moves on every change and clear: a read that started under another generation is not stored. */
  generation = 0;
  private trustedUntil = 0;
  private readonly byToken = new Map<string, Entry<T>>();
  private readonly tokensByUser = new Map<string, Set<string>>();

  constructor({ maxEntries = 10_000, ttlMs = 60_000, now = Date.now }: SessionCacheOptions = {}) {
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get size(): number {
    return this.byToken.size;
  }

  get enabled(): boolean {
    return this.now() < this.trustedUntil;
  }

  get(token: string): T | undefined {
    if (!this.enabled) return undefined;
    const entry = this.byToken.get(token);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.drop(token);
      return undefined;
    }
    // Map order is insertion order: re-inserting marks it most recently used.
    this.byToken.delete(token);
    this.byToken.set(token, entry);
    return entry.value;
  }

  /** Keeps `value`, read from the database under `generation`, unless anything changed since. */
  put(value: T, generation: number): void {
    if (!this.enabled || generation !== this.generation) return;
    const until = Math.min(this.now() + this.ttlMs, value.expiresAt);
    this.drop(value.token);
    this.byToken.set(value.token, { value, userId: value.userId, until });
    let tokens = this.tokensByUser.get(value.userId);
    if (!tokens) this.tokensByUser.set(value.userId, (tokens = new Set()));
    tokens.add(value.token);
    while (this.byToken.size > this.maxEntries) this.drop(this.byToken.keys().next().value!);
  }

  forgetToken(token: string): void {
    this.generation++;
    this.drop(token);
  }

  forgetUser(userId: string): void {
    this.generation++;
    for (const token of this.tokensByUser.get(userId) ?? []) this.byToken.delete(token);
    this.tokensByUser.delete(userId);
  }

  clear(): void {
    this.generation++;
    this.byToken.clear();
    this.tokensByUser.clear();
  }

  /** Called each time notifications are proven to arrive. After a lapse, anything kept may be stale. */
  trustFor(ms: number): void {
    if (!this.enabled) this.clear();
    this.trustedUntil = this.now() + ms;
  }

  /** Called when notifications may be missed. */
  stop(): void {
    this.trustedUntil = 0;
    this.clear();
  }

  private drop(token: string): void {
    const entry = this.byToken.get(token);
    if (!entry) return;
    this.byToken.delete(token);
    const tokens = this.tokensByUser.get(entry.userId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.tokensByUser.delete(entry.userId);
  }
}
