// The team's pages as people use them, against the real binary and databases with the demo
// organisation: a manager's late leads per advisor and pending absence decisions, an advisor's
// own absences, an admin's partner API keys, what an advisor may not open, and accessibility.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuthService, Scope } from "@relance/api/relance/v1/auth_pb";
import { DecisionService } from "@relance/api/relance/v1/decision_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { ReminderService } from "@relance/api/relance/v1/reminder_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { formatCount, instant } from "../src/format/format";
import { ADMIN, ALICE, MANAGER, client, customer, launch, login, phone, seriousViolations, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function open(email: string): Promise<Page> {
  const page = await (await phone(browser)).newPage();
  await signIn(page, email);
  return page;
}

/** people returns the demo users the manager sees, by display name. */
async function people(token: string): Promise<Map<string, string>> {
  const res = await client(TeamService, token).listUsers({});
  return new Map(res.users.map((u) => [u.displayName, u.id]));
}

describe("manager", () => {
  it("sees the late leads per advisor that the API counts", async () => {
    const mgr = await login(MANAGER);
    const names = new Map([...(await people(mgr.token))].map(([name, id]) => [id, name]));
    const page = await open(MANAGER);
    const table = page.getByRole("table", { name: "Leads en retard par conseiller" });
    await table.waitFor();
    const shown = () => table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? "")).sort());
    const api = async () =>
      (await client(ReminderService, mgr.token).listLateCounts({})).counts
        .map((c) => [names.get(c.advisorId) ?? "—", formatCount(c.late, "fr"), formatCount(c.open, "fr")])
        .sort();
    // Leads may turn late between the two reads: compare until both agree, for a bounded time.
    await expect.poll(async () => JSON.stringify(await shown()) === JSON.stringify(await api()), { timeout: 15_000, interval: 1_000 }).toBe(true);
    expect((await api()).length).toBeGreaterThan(0);
    await page.context().close();
  });

  it("reassigns a lead of an absent advisor, and keeps another for their return", async () => {
    const mgr = await login(MANAGER);
    const team = client(TeamService, mgr.token);
    const ids = await people(mgr.token);
    const bruno = ids.get("Bruno Advisor") ?? "";
    const alice = ids.get("Alice Advisor") ?? "";
    const lyon = (await team.listSites({})).sites.find((s) => s.name === "Lyon Centre")?.id ?? "";
    const now = Date.now();
    const away = await team.addAbsence({
      userId: bruno,
      startTime: timestampFromDate(new Date(now - 60_000)),
      endTime: timestampFromDate(new Date(now + 4 * 24 * 3600_000)),
      reason: "e2e",
    });
    try {
      const stamp = String(now);
      const leads = client(LeadService, mgr.token);
      const create = async (name: string) =>
        (await leads.createLead({ idempotencyKey: name, siteId: lyon, source: "e2e", contact: customer(name), assigneeId: bruno })).lead?.id ?? "";
      const moved = await create(`Absent A ${stamp}`);
      const kept = await create(`Absent B ${stamp}`);
      const decisions = client(DecisionService, mgr.token);
      await expect
        .poll(async () => (await decisions.listPendingDecisions({})).decisions.filter((d) => d.leadId === moved || d.leadId === kept).length, { timeout: 10_000, interval: 250 })
        .toBe(2);

      const page = await open(MANAGER);
      await page.getByRole("navigation").getByRole("link", { name: "Décisions" }).click();
      await page.getByRole("heading", { name: "Décisions en attente" }).waitFor();
      const first = page.getByRole("listitem", { name: `Absent A ${stamp}` });
      await first.getByText(/Bruno Advisor est absent\(e\) jusqu'au/).waitFor();
      await first.getByLabel("Réattribuer à").selectOption({ label: "Alice Advisor" });
      await first.getByRole("button", { name: "Réattribuer" }).click();
      await first.waitFor({ state: "detached" });
      const second = page.getByRole("listitem", { name: `Absent B ${stamp}` });
      await second.getByRole("button", { name: "Garder pour son retour" }).click();
      await second.waitFor({ state: "detached" });

      expect((await leads.getLead({ leadId: moved })).lead?.assigneeId).toBe(alice);
      expect((await leads.getLead({ leadId: kept })).lead?.assigneeId).toBe(bruno);
      const left = (await decisions.listPendingDecisions({})).decisions.filter((d) => d.leadId === moved || d.leadId === kept);
      expect(left).toEqual([]);
      await page.context().close();
    } finally {
      await team.removeAbsence({ absenceId: away.absence?.id ?? "" });
    }
  });
});

describe("advisor", () => {
  it("adds an absence in the site's zone, sees a bad span's violation, and removes it", async () => {
    const page = await open(ALICE);
    await page.getByRole("navigation").getByRole("link", { name: "Mes absences" }).click();
    await page.getByRole("heading", { name: "Mes absences" }).waitFor();
    const form = page.locator("form[aria-labelledby=add-absence]");
    await form.getByLabel("Début").fill("2027-03-27T09:00");
    await form.getByLabel("Fin").fill("2027-03-26T18:00");
    await form.getByRole("button", { name: "Ajouter" }).click();
    await form.locator(".field-error").waitFor();
    expect(await form.getByLabel("Fin").getAttribute("aria-invalid")).toBe("true");

    const reason = `Congés e2e ${Date.now()}`;
    await form.getByLabel("Fin").fill("2027-03-29T18:00");
    await form.getByLabel("Motif").fill(reason);
    await form.getByRole("button", { name: "Ajouter" }).click();
    const item = page.getByRole("listitem").filter({ hasText: reason });
    await item.waitFor();

    // Lyon is in Europe/Paris: 09:00 on 27 March 2027 is 08:00 UTC, before the clocks change.
    const me = await login(ALICE);
    const team = client(TeamService, me.token);
    const saved = (await team.listAbsences({ userId: me.user?.id ?? "" })).absences.find((a) => a.reason === reason);
    expect(instant(saved?.startTime)?.toISOString()).toBe("2027-03-27T08:00:00.000Z");
    expect(instant(saved?.endTime)?.toISOString()).toBe("2027-03-29T16:00:00.000Z");

    await item.getByRole("button", { name: /^Retirer l'absence/ }).click();
    await item.waitFor({ state: "detached" });
    expect((await team.listAbsences({ userId: me.user?.id ?? "" })).absences.some((a) => a.reason === reason)).toBe(false);
    await page.context().close();
  });

  it("is offered neither the decisions nor the API keys, by link or by URL", async () => {
    const page = await open(ALICE);
    const nav = page.getByRole("navigation");
    expect(await nav.getByRole("link", { name: "Décisions" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Clés d'API" }).count()).toBe(0);
    for (const path of ["/decisions", "/api-keys"]) {
      await page.goto(path);
      await page.getByRole("heading", { name: "Accès refusé" }).waitFor();
    }
    await page.context().close();
  });
});

describe("admin", () => {
  it("creates a key whose secret is shown once and works, then revokes it", async () => {
    const ctx = await phone(browser);
    await ctx.grantPermissions(["clipboard-read", "clipboard-write"]);
    const page = await ctx.newPage();
    await signIn(page, ADMIN);
    await page.getByRole("navigation").getByRole("link", { name: "Clés d'API" }).click();
    await page.getByRole("heading", { name: "Clés d'API", level: 1 }).waitFor();

    await page.getByRole("button", { name: "Créer la clé" }).click();
    await page.locator(".field-error").first().waitFor();
    expect(await page.getByLabel("Nom").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("group", { name: "Droits" }).getAttribute("aria-invalid")).toBe("true");

    const name = `Partenaire e2e ${Date.now()}`;
    await page.getByLabel("Nom").fill(name);
    await page.getByLabel("Créer des leads").check();
    // A day already gone is refused next to its field; a day in a month is kept.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const expiry = page.getByLabel("Fonctionne jusqu’à la fin du (facultatif)");
    await expiry.fill(day(-2));
    await page.getByRole("button", { name: "Créer la clé" }).click();
    await expect.poll(() => expiry.getAttribute("aria-invalid"), { timeout: 10_000 }).toBe("true");
    await expiry.fill(day(30));
    await page.getByRole("button", { name: "Créer la clé" }).click();
    await page.getByText(`Copiez la clé « ${name} » maintenant : elle ne sera plus jamais affichée.`).waitFor();
    const secret = await page.getByLabel("Clé secrète").inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "Copier" }).click();
    await page.getByRole("button", { name: "Copiée" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const partner = await client(AuthService, secret).whoAmI({});
    expect(partner.scopes).toEqual([Scope.LEADS_CREATE]);
    const admin = await login(ADMIN);
    const listed = (await client(AuthService, admin.token).listApiKeys({})).apiKeys.find((k) => k.name === name);
    const expiresIn = ((instant(listed?.expireTime)?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(expiresIn).toBeGreaterThan(29);
    expect(expiresIn).toBeLessThan(32);

    await page.reload();
    const row = page.getByRole("row", { name: new RegExp(name) });
    await row.waitFor();
    expect(await page.getByLabel("Clé secrète").count()).toBe(0);
    expect(await page.getByText(secret).count()).toBe(0);

    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: `Révoquer la clé ${name}` }).click();
    await row.getByText(/^Révoquée le/).waitFor();
    const refused = await client(AuthService, secret)
      .whoAmI({})
      .then(() => undefined, (e: unknown) => ConnectError.from(e).code);
    expect(refused).toBe(Code.Unauthenticated);
    await ctx.close();
  });
});

describe("accessibility", () => {
  const pages: [string, string][] = [
    [MANAGER, "/decisions"],
    [ALICE, "/absences"],
    [ADMIN, "/api-keys"],
  ];
  for (const [who, path] of pages) {
    it(`has no critical or serious axe violation on ${who}'s page ${path}`, async () => {
      const page = await open(who);
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await page.getByRole("status").filter({ hasText: "Chargement" }).first().waitFor({ state: "detached" });
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().close();
    }, 120_000); // axe takes tens of seconds a page on a loaded machine
  }
});
