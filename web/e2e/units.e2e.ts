// Business units as people use them, against the real binary and databases with the demo
// organisation: an admin adds a unit to a site (a blank name refused next to its field) and puts
// an advisor in it; a manager's response-time report filtered by that unit shows that advisor's
// leads alone, by advisor and by unit; an advisor is offered none of it; accessibility.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { Code, ConnectError } from "@connectrpc/connect";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { ReportGrouping, ReportService, type ResponseTimeRow } from "@relance/api/relance/v1/report_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { Locale, Role } from "@relance/api/relance/v1/types_pb";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { dayOf, formatCount, formatDuration, formatPercent, seconds, zonedInstant } from "../src/format/format";
import { ADMIN, ALICE, MANAGER, PASSWORD, client, customer, launch, login, phone, seriousViolations, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
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

/** cells returns the text of every body row of a table, cell by cell, without the detail button. */
function cells(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.children].slice(0, 8).map((c) => c.textContent ?? "")));
}

/** shown is a report row as the page writes it in French. */
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

const stamp = String(Date.now());
const unitName = `VN e2e ${stamp}`;
const advisorName = `Victor Unité ${stamp}`;

describe("admin and manager", () => {
  it("adds a unit to a site, puts an advisor in it, and the report filtered by it shows that advisor's leads alone", async () => {
    const admin = await login(ADMIN);
    const team = client(TeamService, admin.token);
    const lyon = (await team.listSites({})).sites.find((s) => s.name === "Lyon Centre");
    expect(lyon).toBeDefined();
    const siteId = lyon?.id ?? "";
    // A new advisor of Lyon: every lead of theirs in the report is one this test made.
    const advisor =
      (
        await team.createUser({
          email: `victor.${stamp}@demo.relance.test`,
          displayName: advisorName,
          role: Role.ADVISOR,
          siteIds: [siteId],
          locale: Locale.FR,
          password: PASSWORD,
        })
      ).user?.id ?? "";
    const bruno = (await team.listUsers({})).users.find((u) => u.displayName === "Bruno Advisor")?.id ?? "";
    const leads = client(LeadService, admin.token);
    for (const [name, assigneeId] of [
      [`Unité A ${stamp}`, advisor],
      [`Unité B ${stamp}`, advisor],
      [`Hors unité ${stamp}`, bruno],
    ] as const) {
      await leads.createLead({ idempotencyKey: name, siteId, source: "e2e", contact: customer(name), assigneeId });
    }

    // The unit, on the sites page: a blank name is refused next to its field, then it is added.
    const page = await open(ADMIN, "/sites");
    await page.getByLabel("Sites", { exact: true }).selectOption({ label: "Lyon Centre" });
    const units = page.getByRole("region", { name: "Unités" });
    await settled(page);
    const name = units.getByLabel("Nom de l'unité", { exact: true });
    await name.fill("   ");
    await units.getByRole("button", { name: "Ajouter l'unité" }).click();
    await units.locator(".field-error").waitFor();
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    expect(await name.getAttribute("aria-describedby")).toBeTruthy();
    expect(await units.locator(".field-error").textContent()).toBe("must not be empty");
    await name.fill(unitName);
    await units.getByRole("button", { name: "Ajouter l'unité" }).click();
    await units.getByRole("listitem", { name: unitName }).waitFor();
    expect(await name.inputValue()).toBe("");
    expect(await name.getAttribute("aria-invalid")).toBe("false");
    const unit = (await team.listUnits({ siteId })).units.find((u) => u.name === unitName);
    expect(unit?.active).toBe(true);
    const unitId = unit?.id ?? "";

    // The advisor's unit at Lyon, on the users page.
    await page.getByRole("navigation").getByRole("link", { name: "Utilisateurs" }).click();
    await page.getByRole("button", { name: `Modifier ${advisorName}` }).click();
    const at = page.getByRole("form", { name: "Unité à Lyon Centre" });
    await at.getByLabel("Unité à Lyon Centre").selectOption({ label: unitName });
    await at.getByRole("button", { name: "Enregistrer" }).click();
    await expect
      .poll(async () => (await team.listUsers({})).users.find((u) => u.id === advisor)?.units.map((su) => [su.siteId, su.unitId]), { timeout: 10_000, interval: 250 })
      .toEqual([[siteId, unitId]]);
    await page.context().close();

    // The manager's report, filtered by the unit: the advisor's two leads, by advisor and by unit.
    const mgr = await login(MANAGER);
    const report = client(ReportService, mgr.token);
    const zone = lyon?.timeZone ?? "Europe/Paris";
    const from = dayOf(new Date(Date.now() - 30 * 86_400_000), zone);
    const to = dayOf(new Date(Date.now() + 86_400_000), zone);
    const period = {
      fromTime: timestampFromDate(zonedInstant(`${from}T00:00`, zone) ?? new Date(Number.NaN)),
      toTime: timestampFromDate(zonedInstant(`${to}T00:00`, zone) ?? new Date(Number.NaN)),
    };
    const reports = await open(MANAGER, "/reports");
    await reports.getByLabel("Du", { exact: true }).fill(from);
    await reports.getByLabel("Au", { exact: true }).fill(to);
    await reports.getByLabel("Unité", { exact: true }).selectOption({ label: `${unitName} (Lyon Centre)` });
    const table = reports.getByRole("table", { name: `Temps de réponse des leads reçus du ${from} au ${to}` });
    for (const [group, groupBy, label] of [
      ["Conseiller", ReportGrouping.ADVISOR, advisorName],
      ["Unité", ReportGrouping.UNIT, `${unitName} (Lyon Centre)`],
    ] as const) {
      await reports.getByLabel("Regrouper par", { exact: true }).selectOption({ label: group });
      await reports.getByRole("button", { name: "Afficher" }).click();
      await table.getByRole("columnheader", { name: group, exact: true }).waitFor();
      await settled(reports);
      const api = await report.responseTimeReport({ ...period, groupBy, filter: { unitId } });
      expect(api.rows.map((r) => [r.label, r.received, r.unanswered])).toEqual([[label, 2, 2]]);
      expect(api.total?.received).toBe(2);
      await expect.poll(() => cells(table), { timeout: 10_000, interval: 250 }).toEqual([shown(api.rows[0] ?? api.total!, label), shown(api.total!, "Total")]);
    }

    // The unit's leads one by one: the two of the advisor, with the unit named.
    await reports.getByRole("button", { name: `Leads de ${unitName} (Lyon Centre)` }).click();
    const list = reports.getByRole("table", { name: "Leads, page 1" });
    await list.waitFor();
    await settled(reports);
    expect(await list.locator("td[data-col=unit]").allTextContents()).toEqual([unitName, unitName]);
    await reports.context().close();
  });
});

describe("advisor", () => {
  it("is offered neither the sites' units nor a person's unit, by link, by URL or by the API", async () => {
    const page = await open(ALICE, "/actions");
    const nav = page.getByRole("navigation");
    expect(await nav.getByRole("link", { name: "Sites" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Utilisateurs" }).count()).toBe(0);
    for (const path of ["/sites", "/users"]) {
      await page.goto(path);
      await page.getByRole("heading", { name: "Accès refusé" }).waitFor();
      expect(await page.getByRole("region", { name: "Unités" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "Ajouter l'unité" }).count()).toBe(0);
    }
    await page.context().close();

    const me = await login(ALICE);
    const team = client(TeamService, me.token);
    const siteId = me.user?.siteIds[0] ?? "";
    const refused = await team
      .createUnit({ siteId, name: `Mine ${stamp}` })
      .then(() => undefined, (e: unknown) => ConnectError.from(e).code);
    expect(refused).toBe(Code.PermissionDenied);
  });
});

describe("accessibility", () => {
  const pages: [string, string][] = [
    [ADMIN, "/sites"],
    [MANAGER, "/reports"],
  ];
  for (const [who, path] of pages) {
    it(`has no critical or serious axe violation on ${who}'s page ${path}`, async () => {
      const page = await open(who, path);
      await settled(page);
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().close();
    }, 120_000); // axe takes tens of seconds a page on a loaded machine
  }

  it("has no critical or serious axe violation on a person's units", async () => {
    const page = await open(ADMIN, "/users");
    await page.getByRole("button", { name: `Modifier ${advisorName}` }).click();
    await page.getByRole("heading", { name: `Unités de ${advisorName}` }).waitFor();
    await settled(page);
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  }, 120_000);
});
