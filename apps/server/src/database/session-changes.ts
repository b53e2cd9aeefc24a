/**
 * The change notifications the session caches rely on now ship with the onboarding plugin's migration
 * (packages/onboarding/src/session-changes.ts, which states the contract), so that any Better-Auth server running
 * the plugin installs them. Re-exported here for the server's own modules.
 */
export {
  SESSION_CHANGE_PAYLOAD,
  SESSION_CHANGE_TABLES,
  SESSION_CHANGE_TRIGGERS,
  SESSION_CHANGES_CHANNEL,
  SESSION_CHANGES_SCHEMA,
} from "@textbook-auth/onboarding";
