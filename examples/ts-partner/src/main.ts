// What a partner system does with the TypeScript client (@relance/api, built by `make sdk`):
// send a lead, read it back and record a call to it, authenticated with an API key.
//
//   RELANCE_URL=http://127.0.0.1:8080 RELANCE_API_KEY=rk_… RELANCE_SITE_ID=… npm start
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Category } from "@relance/api/relance/v1/types_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { CallOutcome, CallService } from "@relance/api/relance/v1/call_pb";
import { ContactDirection } from "@relance/api/relance/v1/types_pb";

const url = process.env["RELANCE_URL"];
const key = process.env["RELANCE_API_KEY"];
const site = process.env["RELANCE_SITE_ID"];
if (!url || !key || !site) {
  console.error("ts-partner: set RELANCE_URL, RELANCE_API_KEY and RELANCE_SITE_ID");
  process.exit(1);
}

const apiKey: Interceptor = (next) => (req) => {
  req.header.set("Authorization", `Bearer ${key}`);
  return next(req);
};
// useHttpGet: side-effect-free calls (GetLead) go as HTTP GET.
const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [apiKey], useHttpGet: true });
const leads = createClient(LeadService, transport);
const calls = createClient(CallService, transport);
const opts = { timeoutMs: 10_000 };

// The form's own id makes the call safe to retry: the same key returns the same lead.
const formId = `ts-partner-${Date.now()}`;
const { lead, repeat } = await leads.createLead(
  {
    idempotencyKey: formId,
    siteId: site,
    source: "ts-partner",
    category: Category.A,
    contact: { name: "Camille Ts", phone: "+33612340002", email: "camille.ts@example.com" },
  },
  opts,
);
if (!lead) throw new Error("createLead answered no lead");
// The same customer writing again while their lead is open is a repeat inquiry, recorded on it.
console.log(repeat ? "repeat inquiry recorded on lead:" : "lead created:", lead.id);

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
