// The partner's webhook endpoint: an HTTP server on loopback whose requests are verified with the
// Standard Webhooks library (npm standardwebhooks) before they are trusted.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** One request as it arrived. */
interface Delivery {
  headers: Record<string, string>;
  body: string;
}

/** A webhook receiver on a free loopback port. */
export class Receiver {
  readonly url: string;
  private readonly server: Server;
  private readonly queue: Delivery[] = [];
  private wake: (() => void) | undefined;

  private constructor(server: Server) {
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/relance`;
  }

  /** Starts a receiver on 127.0.0.1. */
  static async listen(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const r = new Receiver(server);
    server.on("request", (req, res) => {
      void readBody(req).then(
        (body) => {
          const headers: Record<string, string> = {};
          for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
            const v = req.headers[name];
            if (typeof v === "string") headers[name] = v;
          }
          r.queue.push({ headers, body });
          r.wake?.();
          // 2xx tells Relance the message arrived; anything else, or no answer in 15 s, and it
          // tries again later under the same webhook-id.
          res.writeHead(204).end();
        },
        () => res.writeHead(400).end(),
      );
    });
    return r;
  }

  /**
   * Waits at most waitMs for the lead.created event of lead. Every request is verified first:
   * one that does not verify did not come from Relance, and fails the wait.
   */
  async awaitLeadCreated(secret: string, lead: string, waitMs: number): Promise<string> {
    const verifier = new Webhook(secret);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const d = this.queue.shift();
      if (!d) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `webhook: no lead.created for lead ${lead} within ${waitMs} ms ` +
              "(does the server allow loopback endpoints? ALLOW_PRIVATE_WEBHOOKS=true)",
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      // verify throws on a bad signature, and on a timestamp more than five minutes off
      // (against replays); it returns the parsed body.
      const ev = verifier.verify(d.body, d.headers) as { type?: string; data?: { id?: string } };
      if (ev.type === "lead.created" && ev.data?.id === lead) return d.headers["webhook-id"] ?? "";
      // Another lead's event (the endpoint hears the whole organisation): not ours.
    }
  }

  /** Stops the server. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
