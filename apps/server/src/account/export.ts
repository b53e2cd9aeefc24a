/**
 * The account export: everything the product holds about one reader, in one JSON document.
 *
 * Contract (format "textbook-account-export/1"): `user` (Better-Auth's user fields), `profile` (the onboarding
 * answers, or null), `sessions` (every live session: when, from which address and browser; never its token),
 * `accounts` (each sign-in method: provider and account id, never a password or a provider's tokens), and
 * `backend`: what the Python backend answers to GET /api/me/export for the same reader (its own tables), or null
 * when the backend has no such endpoint (404). A backend that cannot be asked fails the export (502
 * UPSTREAM_UNAVAILABLE) rather than leaving its data out silently.
 */
import { APIError } from "better-auth/api";
import { parseAccountOutput, parseUserOutput } from "better-auth/db";
import { readProfile, type ProfileField } from "@textbook-auth/onboarding";
import type pg from "pg";
import { ACCOUNT_ERROR_CODES } from "./error-codes";

/** Asks the backend for its data about the reader whose credentials are in `headers`; null when it keeps none. */
export type BackendExport = (headers: Headers) => Promise<unknown>;

export const BACKEND_EXPORT_PATH = "/api/me/export";

function unavailable(): APIError {
  return APIError.from("BAD_GATEWAY", ACCOUNT_ERROR_CODES.UPSTREAM_UNAVAILABLE);
}

export function backendExport(backendUrl: string, timeoutMs = 10_000): BackendExport {
  return async (headers) => {
    // The reader's own credentials, nothing else: the backend decides who this is, as for any request.
    const forward = new Headers({ accept: "application/json" });
    for (const name of ["cookie", "authorization"]) {
      const value = headers.get(name);
      if (value) forward.set(name, value);
    }
    let response: Response;
    try {
      response = await fetch(backendUrl + BACKEND_EXPORT_PATH, { headers: forward, signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      throw unavailable();
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw unavailable();
    }
    return response.json().catch(() => {
      throw unavailable();
    });
  };
}

interface ExportContext {
  request?: Request;
  headers?: Headers;
  context: {
    options: Parameters<typeof parseUserOutput>[0];
    session: { session: { id: string } } | null;
    internalAdapter: {
      findUserById(id: string): Promise<Record<string, unknown> | null>;
      findAccounts(userId: string): Promise<Record<string, unknown>[]>;
      listSessions(userId: string): Promise<Record<string, unknown>[]>;
    };
  };
}

export async function collectExport(
  ctx: ExportContext,
  pool: pg.Pool,
  userId: string,
  fromBackend: BackendExport,
  profileFields?: readonly ProfileField[],
) {
  const { options, internalAdapter } = ctx.context;
  const [user, profile, sessions, accounts, backend] = await Promise.all([
    internalAdapter.findUserById(userId),
    readProfile(pool, userId, profileFields),
    internalAdapter.listSessions(userId),
    internalAdapter.findAccounts(userId),
    fromBackend(ctx.request?.headers ?? ctx.headers ?? new Headers()),
  ]);
  const currentId = ctx.context.session?.session.id;
  const now = Date.now();
  return {
    format: "textbook-account-export/1",
    exportedAt: new Date().toISOString(),
    user: user ? parseUserOutput(options, user as never) : null,
    profile,
    sessions: sessions
      .filter((s) => new Date(s.expiresAt as string).getTime() > now)
      .map((s) => ({
        id: s.id,
        current: s.id === currentId,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        expiresAt: s.expiresAt,
        ipAddress: s.ipAddress ?? null,
        userAgent: s.userAgent ?? null,
      })),
    accounts: accounts.map((a) => {
      const { userId: _userId, ...rest } = parseAccountOutput(options, a as never) as Record<string, unknown>;
      return rest;
    }),
    backend,
  };
}
