/**
 * /dev/mailbox (HTML) and /dev/mailbox.json: the development mailbox, served by the Node server itself rather than
 * as a site page, so a production build of the site has no trace of it and a production server has no such route
 * (app.ts mounts these only when there is a mailbox, which config.ts allows only with NODE_ENV=development).
 * Answered to this machine only: the messages hold working sign-in links, and `HOST=0.0.0.0` in development must
 * not hand them to the network.
 */
import { Hono } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { errorResponse } from "../http/errors";
import { mailboxPage, type Mailbox } from "./mailbox";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function mailboxRoutes(mailbox: Mailbox): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (!LOOPBACK.test(getConnInfo(c).remote.address ?? "")) return errorResponse("NOT_FOUND");
    await next();
    c.res.headers.set("cache-control", "no-store");
  });
  app.get("/mailbox", async (c) => c.html(mailboxPage(await mailbox.list(), mailbox.dir)));
  app.get("/mailbox.json", async (c) => c.json({ messages: await mailbox.list() }));
  return app;
}
