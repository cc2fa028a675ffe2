// What a partner system does with the TypeScript client (@relance/api, built by `make sdk`):
// send a lead, read it back and record a call to it, authenticated with an API key; and hear
// back: it registers a webhook endpoint (an admin's token) on a loopback server of its own,
// receives the lead.created event of its lead, verifies its signature with the Standard
// Webhooks library, then removes the endpoint.
//
//   RELANCE_URL=http://127.0.0.1:8080 RELANCE_API_KEY=rk_… RELANCE_SITE_ID=… \
//   RELANCE_ADMIN_TOKEN=… npm start
//
// The server must allow loopback endpoints (ALLOW_PRIVATE_WEBHOOKS=true, for development and
// tests only); a real partner registers a public https URL.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Category } from "@relance/api/relance/v1/types_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { CallOutcome, CallService } from "@relance/api/relance/v1/call_pb";
import { ContactDirection } from "@relance/api/relance/v1/types_pb";
import { WebhookService } from "@relance/api/relance/v1/webhook_pb";
import { Receiver } from "./receiver.js";

const url = process.env["RELANCE_URL"];
const key = process.env["RELANCE_API_KEY"];
const site = process.env["RELANCE_SITE_ID"];
const admin = process.env["RELANCE_ADMIN_TOKEN"];
if (!url || !key || !site || !admin) {
  console.error("ts-partner: set RELANCE_URL, RELANCE_API_KEY, RELANCE_SITE_ID and RELANCE_ADMIN_TOKEN");
  process.exit(1);
}

const bearer =
  (token: string): Interceptor =>
  (next) =>
  (req) => {
    req.header.set("Authorization", `Bearer ${token}`);
    return next(req);
  };
// useHttpGet: side-effect-free calls (GetLead) go as HTTP GET.
const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer(key)], useHttpGet: true });
const leads = createClient(LeadService, transport);
const calls = createClient(CallService, transport);
const opts = { timeoutMs: 10_000 };

// Hearing back: an endpoint on a loopback server of our own, registered by an admin.
const hooks = createClient(
  WebhookService,
  createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer(admin)] }),
);
const receiver = await Receiver.listen();
const { endpoint } = await hooks.createWebhookEndpoint(
  { url: receiver.url, description: "ts-partner example", filter: ["lead.created"] },
  opts,
);
if (!endpoint) throw new Error("createWebhookEndpoint answered no endpoint");
console.log("webhook endpoint registered:", endpoint.url);
// The secret comes once, in this answer: keep it where the receiver can read it.
const secret = endpoint.secret;
try {
  // The form's own id makes the call safe to retry: the same key returns the same lead. A customer
  // of their own on each run, so that the lead is new rather than a repeat inquiry.
  const stamp = Date.now();
  const formId = `ts-partner-${stamp}`;
  const { lead, repeat } = await leads.createLead(
    {
      idempotencyKey: formId,
      siteId: site,
      source: "ts-partner",
      category: Category.A,
      contact: {
        name: "Camille Ts",
        phone: `+3362${String(stamp % 10_000_000).padStart(7, "0")}`,
        email: `camille.ts.${stamp}@example.com`,
      },
    },
    opts,
  );
  if (!lead) throw new Error("createLead answered no lead");
  // The same customer writing again while their lead is open is a repeat inquiry, recorded on it
  // and announced as lead.repeat rather than lead.created.
  if (repeat) throw new Error(`lead ${lead.id}: a repeat inquiry, want a new lead`);
  console.log("lead created:", lead.id);

  // The lead.created event arrives at the endpoint; its signature proves it came from Relance.
  const messageId = await receiver.awaitLeadCreated(secret, lead.id, 30_000);
  console.log("webhook lead.created received and verified for lead:", lead.id, `(webhook-id ${messageId})`);

  const got = await leads.getLead({ leadId: lead.id }, opts);
  if (got.lead?.contact?.name !== "Camille Ts") throw new Error(`getLead: ${JSON.stringify(got.lead)}`);

  const { call } = await calls.recordCall(
    {
      call: {
        leadId: lead.id,
        direction: ContactDirection.INBOUND,
        startTime: timestampFromDate(new Date(Date.now() - 60_000)),
        outcome: CallOutcome.NO_ANSWER,
        externalCallId: `${formId}-call`,
      },
    },
    opts,
  );
  console.log("call recorded:", call?.id);

  // Bad input is refused with the fields at fault.
  try {
    await leads.createLead({ idempotencyKey: `${formId}-bad`, siteId: site }, opts);
    throw new Error("a lead without source or contact was accepted");
  } catch (err) {
    const ce = ConnectError.from(err);
    if (ce.code !== Code.InvalidArgument) throw err;
    console.log("bad input refused:", ce.rawMessage);
  }
} finally {
  // The endpoint goes even when the run failed.
  await hooks.deleteWebhookEndpoint({ endpointId: endpoint.id }, opts);
  await receiver.close();
}
