/**
 * The account page's server half, as a Better-Auth plugin beside Better-Auth's own account routes (update-user,
 * change-email, change-password, list-sessions, revoke-session, revoke-other-sessions, delete-user):
 *
 * - `GET /account/features`: what the site may offer: `{ mail, emailVerificationRequired }`. Public.
 * - `GET /account/export`: everything the product holds about the signed-in reader, as a JSON download (export.ts).
 * - `POST /delete-user` asks for more than Better-Auth does: the password for a reader who has one (400
 *   PASSWORD_REQUIRED without it), and for a reader who signs in only through another provider a session made in
 *   the last FRESH_SIGN_IN_SECONDS (403 SESSION_NOT_FRESH: sign in again). A stolen session alone cannot delete.
 * - After a deletion, the reader's pending reset and delete tokens (verification rows holding the user id) go too;
 *   everything else goes by ON DELETE CASCADE (session, account, user_profile, and the backend's own tables).
 */
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthEndpoint, createAuthMiddleware, getSessionFromCtx, sessionMiddleware } from "better-auth/api";
import type pg from "pg";
import type { ProfileField } from "@textbook-auth/onboarding";
import { ACCOUNT_ERROR_CODES } from "./error-codes";
import { collectExport, type BackendExport } from "./export";

export { ACCOUNT_ERROR_CODES } from "./error-codes";

/** How recent a sign-in must be for a reader without a password to delete their account. */
export const FRESH_SIGN_IN_SECONDS = 15 * 60;

export interface AccountPluginOptions {
  pool: pg.Pool;
  /** Reads the backend's data about the reader (the example backend's GET /api/me/export). */
  backendExport: BackendExport;
  mail: boolean;
  emailVerificationRequired: boolean;
  /** The profile questions (config.profileFields), to read the reader's answers for the export. */
  profileFields?: readonly ProfileField[];
}

export const account = (options: AccountPluginOptions) => {
  const { pool } = options;
  const error = (status: "BAD_REQUEST" | "FORBIDDEN", code: keyof typeof ACCOUNT_ERROR_CODES) => APIError.from(status, ACCOUNT_ERROR_CODES[code]);

  return {
    id: "textbook-account",
    endpoints: {
      accountFeatures: createAuthEndpoint("/account/features", { method: "GET" }, async (ctx) =>
        ctx.json({ mail: options.mail, emailVerificationRequired: options.emailVerificationRequired }),
      ),
      exportAccount: createAuthEndpoint("/account/export", { method: "GET", use: [sessionMiddleware] }, async (ctx) => {
        const { user } = ctx.context.session;
        const data = await collectExport(ctx, pool, user.id, options.backendExport, options.profileFields);
        const day = data.exportedAt.slice(0, 10);
        ctx.setHeader("content-disposition", `attachment; filename="textbook-account-${day}.json"`);
        return ctx.json(data);
      }),
    },
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/delete-user",
          handler: createAuthMiddleware(async (ctx) => {
            const session = await getSessionFromCtx(ctx);
            if (!session) return; // Better-Auth answers 401 itself
            const body = (ctx.body ?? {}) as { password?: unknown; token?: unknown };
            const accounts = await ctx.context.internalAdapter.findAccounts(session.user.id);
            const hasPassword = accounts.some((a) => a.providerId === "credential" && a.password);
            if (hasPassword) {
              if (typeof body.password !== "string" || body.password === "") throw error("BAD_REQUEST", "PASSWORD_REQUIRED");
              return; // Better-Auth checks it (400 INVALID_PASSWORD)
            }
            const age = Date.now() - new Date(session.session.createdAt).getTime();
            if (age > FRESH_SIGN_IN_SECONDS * 1000) throw error("FORBIDDEN", "SESSION_NOT_FRESH");
          }),
        },
      ],
    },
    $ERROR_CODES: ACCOUNT_ERROR_CODES,
  } satisfies BetterAuthPlugin;
};

/** Better-Auth's user.deleteUser.afterDelete: what no foreign key reaches. */
export function afterDelete(pool: pg.Pool) {
  return async (user: { id: string }) => {
    // Reset-password and delete-account tokens keep the user id as their value.
    await pool.query(`DELETE FROM verification WHERE value = $1`, [user.id]);
  };
}
