export function freePort(): Promise<number>;
export function startTestPostgres(): Promise<{ url: string; port: number; stop(): Promise<void> }>;
export function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }>;
export function startStoppablePostgres(): Promise<{
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}>;
