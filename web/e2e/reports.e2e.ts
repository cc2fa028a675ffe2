// The managers' reports as people use them, against the real binary and databases with the demo
// organisation: each report shows the figures the API gives for the same period, a row's leads
// one by one, CSV downloads equal to the API's export, what an advisor may not open, and
// accessibility. Screenshots are kept as artefacts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ActivityKind } from "@relance/api/relance/v1/types_pb";
import { AuthService } from "@relance/api/relance/v1/auth_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { PlanService } from "@relance/api/relance/v1/plan_pb";
import { type ExportReportRequestSchema, ReportGrouping, ReportService, type ResponseTimeRow } from "@relance/api/relance/v1/report_pb";
import { CallState, StatusService } from "@relance/api/relance/v1/status_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { join } from "node:path";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { dayOf, formatCount, formatDay, formatDuration, formatPercent, seconds, zonedInstant } from "../src/format/format";
import { ALICE, MANAGER, artefacts, client, launch, login, phone, seriousViolations, signIn } from "./harness";

let browser: Browser;
let token = "";
let zone = "Europe/Paris";
beforeAll(async () => {
  browser = await launch();
  token = (await login(MANAGER)).token;
  // Reports read their days in the manager's first site's zone, as the app does.
  const me = await client(AuthService, token).whoAmI({});
  const sites = (await client(TeamService, token).listSites({})).sites;
  zone = sites.find((s) => s.id === me.user?.siteIds[0])?.timeZone ?? zone;
});
afterAll(async () => {
  await browser?.close();
});

async function open(email: string, path: string): Promise<Page> {
  const page = await (await phone(browser)).newPage();
  await signIn(page, email);
  await page.goto(path);
  await page.locator("main h1").waitFor();
  return page;
}

/** settled waits until no query of the page is loading. */
async function settled(page: Page): Promise<void> {
  await page.getByRole("status").filter({ hasText: "Chargement" }).first().waitFor({ state: "detached" });
}

/** cells returns the text of every body row of a table, cell by cell. */
function cells(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? "")));
}

/** downloaded clicks the CSV button and returns the file's bytes. */
async function downloaded(page: Page): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Télécharger en CSV" }).click()]);
  const chunks: Buffer[] = [];
  for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** exported is the API's CSV of a report, as the app asks for it (with a byte order mark). */
async function exported(request: MessageInitShape<typeof ExportReportRequestSchema>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const res of client(ReportService, token).exportReport({ byteOrderMark: true, ...request })) chunks.push(Buffer.from(res.chunk));
  return Buffer.concat(chunks);
}

/** dayStart is the instant a day begins in the zone, as the app reads its day inputs. */
const dayStart = (d: string, timeZone: string) => timestampFromDate(zonedInstant(`${d}T00:00`, timeZone) ?? new Date(Number.NaN));

const day = (offset: number) => dayOf(new Date(Date.now() + offset * 86_400_000), zone);

describe("response-time report", () => {
  it("shows the API's rows, buckets and a row's leads for the period and filters asked, and downloads the CSV", async () => {
    const page = await open(MANAGER, "/reports");
    const from = day(-30);
    const to = day(1);
    await page.getByLabel("Du", { exact: true }).fill(from);
    await page.getByLabel("Au", { exact: true }).fill(to);
    const table = page.getByRole("table", { name: `Temps de réponse des leads reçus du ${from} au ${to}` });
    const report = client(ReportService, token);
    const shown = (r: ResponseTimeRow, name: string) => [
      name,
      formatCount(r.received, "fr"),
      formatCount(r.answered, "fr"),
      formatCount(r.unanswered, "fr"),
      formatDuration(seconds(r.average), "fr"),
      formatDuration(seconds(r.median), "fr"),
      formatPercent(r.within24hPercent, "fr"),
      formatPercent(r.withinWindowPercent, "fr"),
    ];
    for (const [group, groupBy, category] of [
      ["Conseiller", ReportGrouping.ADVISOR, 0],
      ["Source", ReportGrouping.SOURCE, 1],
      ["Site", ReportGrouping.SITE, 0],
    ] as const) {
      await page.getByLabel("Regrouper par", { exact: true }).selectOption({ label: group });
      await page.getByLabel("Catégorie", { exact: true }).selectOption(String(category));
      await page.getByRole("button", { name: "Afficher" }).click();
      await table.getByRole("columnheader", { name: group, exact: true }).waitFor();
      await settled(page);
      const api = await report.responseTimeReport({ fromTime: dayStart(from, zone), toTime: dayStart(to, zone), groupBy, filter: { category } });
      const want = [...api.rows.map((r) => shown(r, r.label || r.key || "Non attribués")), ...(api.total ? [shown(api.total, "Total")] : [])];
      expect((await cells(table)).map((r) => r.slice(0, 8))).toEqual(want);
      const bars = await page.locator("[data-bucket]").allTextContents();
      expect(bars).toEqual((api.total?.buckets ?? []).map((n) => formatCount(n, "fr")));
      expect(api.total?.received ?? 0).toBeGreaterThan(category === 0 ? 0 : -1); // the demo seed received leads
    }

    // By site (the last grouping): a site's leads one by one, as ListResponseTimeLeads gives them.
    const api = await report.responseTimeReport({ fromTime: dayStart(from, zone), toTime: dayStart(to, zone), groupBy: ReportGrouping.SITE });
    const site = api.rows.find((r) => r.received > 0);
    expect(site).toBeDefined();
    await page.getByRole("button", { name: `Leads de ${site?.label}` }).click();
    const leads = page.getByRole("table", { name: "Leads, page 1" });
    await leads.waitFor();
    await settled(page);
    const page1 = await report.listResponseTimeLeads({
      query: { fromTime: dayStart(from, zone), toTime: dayStart(to, zone), filter: { siteId: site?.key ?? "" } },
      pageSize: 50,
    });
    expect(await leads.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-lead")))).toEqual(page1.leads.map((l) => l.leadId));
    expect(await leads.locator("td[data-col=response]").allTextContents()).toEqual(page1.leads.map((l) => formatDuration(seconds(l.responseTime), "fr")));
    expect(page1.leads.length).toBe(Math.min(50, site?.received ?? 0));
    await page.screenshot({ path: join(artefacts, "report-response-times-360x740.png"), fullPage: true });

    const file = await downloaded(page);
    expect(file.equals(await exported({ report: { case: "responseTime", value: { fromTime: dayStart(from, zone), toTime: dayStart(to, zone), groupBy: ReportGrouping.SITE } } }))).toBe(true);
    expect(file.toString("utf8")).toContain("within_24h_percent");
    await page.context().close();
  });
});

describe("compliance report", () => {
  it("shows each advisor's days as the API counts them, and downloads the CSV", async () => {
    const page = await open(MANAGER, "/compliance");
    const from = day(-6);
    const to = day(0);
    const table = page.getByRole("table", { name: `Cadence par conseiller et par jour, du ${from} au ${to}` });
    await table.waitFor();
    await settled(page);
    const api = await client(ReportService, token).complianceReport({ fromDate: from, toDate: to });
    const want = api.rows.map((r) => [
      r.advisorName,
      formatDay(r.date, "fr"),
      ...[r.inCadence, r.noAttempt, r.attempts, r.quota, r.successfulTouches, r.behind].map((n) => formatCount(n, "fr")),
    ]);
    expect(await cells(table)).toEqual(want);
    expect(api.rows.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(artefacts, "report-compliance-360x740.png"), fullPage: true });
    const file = await downloaded(page);
    expect(file.equals(await exported({ report: { case: "compliance", value: { fromDate: from, toDate: to } } }))).toBe(true);
    await page.context().close();
  });
});

describe("advisor report", () => {
  it("shows each advisor's open and late leads, reminders and improper closures as the API gives them", async () => {
    const page = await open(MANAGER, "/advisor-report");
    const from = day(-30);
    const to = day(1);
    const table = page.getByRole("table", { name: /^Conseillers/ });
    await table.waitFor();
    const request = { fromTime: dayStart(from, zone), toTime: dayStart(to, zone) };
    const api = async () =>
      (await client(ReportService, token).advisorReport(request)).rows.map((r) => [
        r.advisorName,
        ...[r.open, r.late, r.reminders, r.improperClosures].map((n) => formatCount(n, "fr")),
      ]);
    const shown = () => cells(table);
    // A lead may turn late between the two reads: reload until both agree, for a bounded time.
    await expect
      .poll(
        async () => {
          const [a, b] = [await shown(), await api()];
          if (JSON.stringify(a) === JSON.stringify(b)) return true;
          await page.reload();
          await table.waitFor();
          return false;
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(true);
    expect((await api()).length).toBeGreaterThan(0);
    await page.screenshot({ path: join(artefacts, "report-advisors-360x740.png"), fullPage: true });
    const file = await downloaded(page);
    expect(file.equals(await exported({ report: { case: "advisors", value: request } }))).toBe(true);
    await page.context().close();
  });
});

describe("scheduled calls", () => {
  it("lists the calls and the per-status counts the API gives, by team and state", async () => {
    const page = await open(MANAGER, "/calls");
    const statuses = client(StatusService, token);
    const me = await client(AuthService, token).whoAmI({});
    for (const [state, label] of [
      [CallState.SCHEDULED, "À venir et en retard"],
      [CallState.DONE, "Effectués"],
      [CallState.UNSPECIFIED, "Tous"],
    ] as const) {
      await page.getByLabel("État").selectOption({ label });
      await page.getByLabel("Équipe").selectOption({ label: me.user?.displayName ?? "" });
      await settled(page);
      const want = async () => (await statuses.listScheduledCalls({ state, managerId: me.user?.id ?? "", pageSize: 50 })).calls.map((c) => c.action?.id);
      const shown = () => page.locator("tr[data-call]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-call")));
      await expect.poll(async () => JSON.stringify(await shown()) === JSON.stringify(await want()), { timeout: 15_000, interval: 500 }).toBe(true);
      if (state === CallState.SCHEDULED) expect((await want()).length).toBeGreaterThan(0); // the demo statuses scheduled calls
    }
    const counts = (await statuses.listScheduledCalls({ managerId: me.user?.id ?? "", pageSize: 1 })).counts;
    const names = new Map((await statuses.listStatuses({})).statuses.map((s) => [s.id, s.name]));
    const table = page.getByRole("table", { name: "Appels en attente par statut" });
    expect(await cells(table)).toEqual(
      counts.map((c) => [names.get(c.statusId) ?? "—", formatCount(c.pending, "fr"), formatCount(c.overdue, "fr")]),
    );
    await page.screenshot({ path: join(artefacts, "report-calls-360x740.png"), fullPage: true });
    await page.context().close();
  });
});

describe("plan effectiveness", () => {
  it("shows each step's figures as GetPlanStats gives them", async () => {
    const plans = client(PlanService, token);
    const name = `Plan e2e ${Date.now()}`;
    const created = await plans.createPlan({ plan: { name, steps: [{ kind: ActivityKind.CALL }, { kind: ActivityKind.EMAIL, afterDays: 2 }] } });
    const planId = created.plan?.id ?? "";
    // A lead of its own: the other browser tests close some of the demo's.
    const me = await client(AuthService, token).whoAmI({});
    const lead = await client(LeadService, token).createLead({
      idempotencyKey: `plan-e2e-${Date.now()}`,
      siteId: me.user?.siteIds[0] ?? "",
      source: "website",
      contact: { name: "Plan E2E", phone: "+33612345678" },
    });
    await plans.enrolLead({ planId, leadId: lead.lead?.id ?? "" });
    const page = await open(MANAGER, "/plan-stats");
    await page.getByLabel("Plan", { exact: true }).selectOption({ label: name });
    const table = page.getByRole("table", { name: `Étapes du plan ${name} (réponse sous 7 j)` });
    await table.waitFor();
    await settled(page);
    const stats = await plans.getPlanStats({ planId });
    const kinds = ["Appel", "E-mail"];
    expect(await cells(table)).toEqual(
      stats.steps.map((s) => [
        `${s.step + 1}. ${kinds[s.step] ?? ""}`,
        ...[s.executed, s.skipped, s.failed, s.pending, s.cancelled, s.answered, s.won, s.sent, s.notDelivered, s.queued].map((n) =>
          formatCount(n, "fr"),
        ),
      ]),
    );
    expect(stats.steps.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(artefacts, "report-plans-360x740.png"), fullPage: true });
    await page.context().close();
  });
});

const reportPaths = ["/reports", "/compliance", "/advisor-report", "/calls", "/plan-stats"];

describe("advisor", () => {
  it("is offered none of the reports and gets the forbidden page on their addresses", async () => {
    const page = await open(ALICE, "/actions");
    const nav = page.getByRole("navigation");
    for (const path of reportPaths) expect(await nav.locator(`a[href="${path}"]`).count()).toBe(0);
    for (const path of reportPaths) {
      await page.goto(path);
      await page.getByRole("heading", { name: "Accès refusé" }).waitFor();
      expect(await page.locator("table, [data-bucket]").count()).toBe(0);
    }
    await page.context().close();
  });
});

describe("accessibility", () => {
  it("has no critical or serious axe violation on the report pages", async () => {
    const page = await open(MANAGER, "/dashboard");
    for (const path of reportPaths) {
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await settled(page);
      expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] });
    }
    await page.context().close();
  }, 240_000); // axe takes tens of seconds a page on a loaded machine
});
