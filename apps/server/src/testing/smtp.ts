/**
 * A real SMTP server for tests (the npm package smtp-server) on a free 127.0.0.1 port: the product sends to it
 * through SMTP_URL exactly as to a provider, and each message is parsed (mailparser) as a mail client would.
 * Browser tests and server tests follow the links in these messages, never links built by the test.
 */
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { linksIn } from "../mail/messages";

export interface ReceivedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The links of the text part, in order. */
  links: string[];
  raw: string;
}

export interface TestSmtp {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** The next message to `to` (case-insensitive) whose subject matches, waiting up to `timeoutMs`. */
  next(to: string, subject?: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  /** Messages to `to` received so far. */
  to(address: string): ReceivedMail[];
  stop(): Promise<void>;
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks).toString();
        const parsed = await simpleParser(raw);
        const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(", ") : (parsed.to?.text ?? "");
        const text = parsed.text ?? "";
        messages.push({
          from: parsed.from?.text ?? "",
          to,
          subject: parsed.subject ?? "",
          text,
          html: typeof parsed.html === "string" ? parsed.html : "",
          links: linksIn(text),
          raw,
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;

  const matching = (address: string, subject?: RegExp) =>
    messages.find((m) => !taken.has(m) && m.to.toLowerCase().includes(address.toLowerCase()) && (!subject || subject.test(m.subject)));

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    to: (address) => messages.filter((m) => m.to.toLowerCase().includes(address.toLowerCase())),
    async next(to, subject, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = matching(to, subject);
        if (found) {
          taken.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no message to ${to}${subject ? ` matching ${subject}` : ""} within ${timeoutMs} ms (got: ${messages.map((m) => `${m.to}: ${m.subject}`).join("; ") || "none"})`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, Math.min(left, 200));
        });
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
