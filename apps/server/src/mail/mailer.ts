/**
 * Delivery: SMTP through nodemailer (SMTP_URL), the development mailbox (files under DATA_DIR/mail), or nothing.
 *
 * Sending never holds an HTTP answer: Better-Auth hands each send to `background` (its `advanced.backgroundTasks`),
 * so "we sent a link if that address has an account" takes as long whether or not a message goes out (no timing
 * oracle on which addresses exist), and a slow or failing SMTP server costs the reader nothing but the mail. A
 * failed delivery is logged, never shown. `stop()` waits for messages still being sent.
 */
import nodemailer from "nodemailer";
import type { MailConfig } from "../config";
import type { OutgoingMail } from "./messages";
import { Mailbox } from "./mailbox";

export interface Mailer {
  /** false when mail is off: Better-Auth's mail features are then not configured at all. */
  readonly enabled: boolean;
  /** One line for the start-up log: where mail goes. */
  readonly description: string;
  /** The development mailbox, when mail goes there (the /dev/mailbox page reads it). */
  readonly mailbox: Mailbox | null;
  send(mail: OutgoingMail): Promise<void>;
  /** Whether the SMTP server answers (connection, greeting, login); null when there is nothing to check. */
  check(): Promise<string | null>;
  /** Better-Auth's backgroundTasks handler: runs the send after the answer, keeps track of it for stop(). */
  background(task: Promise<unknown>): void;
  /**
   * Resolves once every message handed to `background` so far has been sent or has failed: a test can then say
   * "nothing was sent" without sleeping and hoping the send was not merely late.
   */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface MailerOptions {
  /** Per recipient, at most this many messages in `recipientWindowMs`; more are dropped (and logged). 0: no cap. */
  recipientLimit?: number;
  recipientWindowMs?: number;
  log?: (line: string) => void;
}

/** Defaults of the per-recipient cap: an address cannot be flooded from many client addresses at once. */
export const RECIPIENT_LIMIT = 5;
export const RECIPIENT_WINDOW_MS = 15 * 60_000;

/** `smtp://user:pass@host:587` without the password, for logs. */
export function redactSmtpUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = "***";
  return url.href.replace(/\/$/, "");
}

export function createMailer(config: MailConfig, options: MailerOptions = {}): Mailer {
  const log = options.log ?? ((line: string) => console.error(line));
  const limit = options.recipientLimit ?? RECIPIENT_LIMIT;
  const windowMs = options.recipientWindowMs ?? RECIPIENT_WINDOW_MS;
  const pending = new Set<Promise<unknown>>();
  const recent = new Map<string, number[]>();

  /** True when this recipient may get one more message now; counts it. */
  function allow(to: string): boolean {
    if (limit <= 0) return true;
    const now = Date.now();
    const key = to.toLowerCase();
    const times = (recent.get(key) ?? []).filter((t) => now - t < windowMs);
    if (times.length >= limit) {
      recent.set(key, times);
      return false;
    }
    times.push(now);
    recent.set(key, times);
    // Bounded: forget addresses whose window has passed once the map grows.
    if (recent.size > 10_000) for (const [k, v] of recent) if (v.every((t) => now - t >= windowMs)) recent.delete(k);
    return true;
  }

  if (config.kind === "off") {
    return {
      enabled: false,
      description: `Mail: off (${config.reason}); password reset and email verification are unavailable`,
      mailbox: null,
      send: async () => {
        throw new Error("mail is off");
      },
      check: async () => null,
      background: (task) => void task.catch(() => {}),
      idle: async () => {},
      stop: async () => {},
    };
  }

  const { from } = config;
  const mailbox = config.kind === "mailbox" ? new Mailbox(config.dir) : null;
  const transport =
    config.kind === "smtp"
      ? // Bounded waits: a dead SMTP server must not keep sockets (and stop()) hanging for nodemailer's default minutes.
        nodemailer.createTransport({ url: config.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });

  async function send(mail: OutgoingMail): Promise<void> {
    if (!allow(mail.to)) {
      log(`mail: not sent to ${mail.to}: more than ${limit} messages to this address in ${windowMs / 60_000} minutes`);
      return;
    }
    const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    if (mailbox) await mailbox.keep(mail, (info as { message: Buffer }).message);
  }

  return {
    enabled: true,
    description:
      config.kind === "smtp"
        ? `Mail: SMTP ${redactSmtpUrl(config.url)}, from ${config.from}`
        : `Mail: development mailbox, messages kept in ${config.dir}`,
    mailbox,
    send,
    async check() {
      if (config.kind !== "smtp") return null;
      return transport.verify().then(
        () => null,
        (error: unknown) => (error as Error)?.message ?? String(error),
      );
    },
    background(task) {
      const tracked = task
        .catch((error: unknown) => log(`mail: delivery failed: ${(error as Error)?.message ?? String(error)}`))
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async idle() {
      // Again while sends were added meanwhile; bounded, as a steady stream of new sends could keep it busy.
      for (let round = 0; round < 100 && pending.size > 0; round++) await Promise.allSettled([...pending]);
    },
    async stop() {
      await Promise.allSettled([...pending]);
      transport.close();
    },
  };
}
