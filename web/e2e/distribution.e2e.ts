// The distribution rules and ADF intake pages as an admin uses them, against the real binary and
// databases with the demo organisation: a rule created (a bad lead timer's violation next to its
// field first), read back through the API, edited and deleted; a vendor mapping and an intake
// token created on the screen, an ADF document posted over HTTP to the token's address giving a
// lead at the mapped site, whose document an admin reads on the lead card and in the list of
// documents received; the token revoked and the mapping deleted; a manager reading the rules
// only; an advisor refused both pages; and axe.
// Every rule and mapping here has a source or vendor of its own, so other tests' leads are not
// distributed by them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { AdfService } from "@relance/api/relance/v1/adf_pb";
import { DistributionService, DistributionStrategy } from "@relance/api/relance/v1/distribution_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { join } from "node:path";
import { ADMIN, ALICE, MANAGER, artefacts, base, client, customer, launch, login, phone, seriousViolations, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** open signs email in on a phone-sized page that accepts every confirmation dialog. */
async function open(email: string): Promise<Page> {
  const ctx = await phone(browser);
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await ctx.newPage();
  page.on("dialog", (d) => void d.accept());
  await signIn(page, email);
  return page;
}

/** admin opens a page from the navigation as the admin. */
async function admin(link: string, heading: string): Promise<Page> {
  const page = await open(ADMIN);
  await page.getByRole("navigation").getByRole("link", { name: link, exact: true }).click();
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

async function token() {
  return (await login(ADMIN)).token;
}

async function siteIds() {
  const team = client(TeamService, await token());
  const sites = (await team.listSites({})).sites;
  const users = (await team.listUsers({})).users;
  return {
    lyon: sites.find((s) => s.name === "Lyon Centre")?.id ?? "",
    montreal: sites.find((s) => s.name === "Montréal Nord")?.id ?? "",
    alice: users.find((u) => u.email === ALICE)?.id ?? "",
    bruno: users.find((u) => u.email === "bruno@demo.relance.test")?.id ?? "",
  };
}

const stamp = String(Date.now());

describe("distribution rules", () => {
  it("creates a weighted rule with a lead timer (a short timer refused next to it), edits it to a fixed advisor and deletes it", async () => {
    const ids = await siteIds();
    const rules = client(DistributionService, await token());
    const source = `e2e-dist-${stamp}`;
    const page = await admin("Distribution", "Règles de distribution");
    await page.getByText("la plus précise").waitFor();
    const form = page.locator("form[aria-labelledby=rule-form]");
    await form.getByLabel("Site", { exact: true }).selectOption({ label: "Lyon Centre" });
    await form.getByLabel("Source (vide : toutes)").fill(source);
    await form.getByLabel("Stratégie").selectOption({ label: "Tour de rôle (pondéré)" });
    await form.getByLabel("Poids de Alice Advisor").fill("3");
    await form.getByLabel("Plafond de leads ouverts par conseiller (0 : sans plafond)").fill("25");
    await form.getByLabel(/^Minuteur du lead/).check();
    const moveAfter = form.getByLabel("Sans réponse après (minutes ouvrées, 15 à 120)");
    await moveAfter.fill("5");
    await form.getByLabel("Passages au plus (1 à 10)").fill("2");
    await form.getByRole("button", { name: "Créer la règle" }).click();
    await form.locator(".field-error").first().waitFor();
    expect(await moveAfter.getAttribute("aria-invalid")).toBe("true");
    const described = await moveAfter.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${described}"]`).textContent()).toMatch(/15/);
    expect((await rules.listDistributionRules({})).rules.filter((r) => r.source === source)).toEqual([]);

    await moveAfter.fill("45");
    await form.getByRole("button", { name: "Créer la règle" }).click();
    const scope = `Source ${source} sur le site Lyon Centre`;
    const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: scope }) });
    await row.waitFor();
    expect(await row.textContent()).toContain("Alice Advisor × 3");
    await page.screenshot({ path: join(artefacts, "distribution-360x740.png"), fullPage: true });

    let saved = (await rules.listDistributionRules({})).rules.find((r) => r.source === source);
    expect(saved?.siteId).toBe(ids.lyon);
    expect(saved?.strategy).toBe(DistributionStrategy.ROUND_ROBIN);
    expect(saved?.weights.map((w) => [w.advisorId, w.weight])).toEqual([[ids.alice, 3]]);
    expect(saved?.maxOpenLeads).toBe(25);
    expect(saved?.calendarWithinMinutes).toBeUndefined();
    expect(saved?.moveAfterMinutes).toBe(45);
    expect(saved?.maxMoves).toBe(2);

    // A second rule for the same scope is the API's to refuse: its words show on the form.
    await form.getByLabel("Site", { exact: true }).selectOption({ label: "Lyon Centre" });
    await form.getByLabel("Source (vide : toutes)").fill(source);
    await form.getByRole("button", { name: "Créer la règle" }).click();
    await form.getByRole("alert").waitFor();
    expect((await rules.listDistributionRules({})).rules.filter((r) => r.source === source)).toHaveLength(1);

    await page.getByRole("button", { name: `Modifier la règle : ${scope}` }).click();
    await page.getByRole("heading", { name: "Modifier la règle" }).waitFor();
    await form.getByLabel("Stratégie").selectOption({ label: "Conseiller fixe" });
    await form.getByLabel("Conseiller", { exact: true }).selectOption({ label: "Bruno Advisor" });
    await form.getByLabel(/^Minuteur du lead/).uncheck();
    await form.getByLabel(/^Seulement les conseillers dont le calendrier/).check();
    await form.getByLabel("Ouverture dans au plus (minutes ouvrées)").fill("60");
    await form.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByRole("heading", { name: "Nouvelle règle" }).waitFor();
    saved = (await rules.listDistributionRules({})).rules.find((r) => r.source === source);
    expect(saved?.strategy).toBe(DistributionStrategy.FIXED);
    expect(saved?.fixedAdvisorId).toBe(ids.bruno);
    expect(saved?.weights).toEqual([]);
    expect(saved?.calendarWithinMinutes).toBe(60);
    expect(saved?.moveAfterMinutes).toBeUndefined();
    expect(await row.textContent()).toContain("Bruno Advisor");

    await page.getByRole("button", { name: `Supprimer la règle : ${scope}` }).click();
    await row.waitFor({ state: "detached" });
    expect((await rules.listDistributionRules({})).rules.filter((r) => r.source === source)).toEqual([]);
    await page.context().close();
  });

  it("shows a manager the rules without a form", async () => {
    const source = `e2e-read-${stamp}`;
    const rules = client(DistributionService, await token());
    const rule = (await rules.createDistributionRule({ rule: { source, strategy: DistributionStrategy.MANAGER } })).rule;
    try {
      const page = await open(MANAGER);
      await page.getByRole("navigation").getByRole("link", { name: "Distribution", exact: true }).click();
      await page.getByRole("rowheader", { name: `Source ${source}` }).waitFor();
      expect(await page.getByRole("row").filter({ hasText: source }).textContent()).toContain("Laisser au responsable");
      expect(await page.getByRole("heading", { name: "Nouvelle règle" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: `Supprimer la règle : Source ${source}` }).count()).toBe(0);
      await page.context().close();
    } finally {
      await rules.deleteDistributionRule({ ruleId: rule?.id ?? "" });
    }
  });
});

describe("ADF intake", () => {
  it("maps a vendor and creates an intake token on the screen; a document posted to the token's address becomes a lead at the mapped site", async () => {
    const ids = await siteIds();
    const adf = client(AdfService, await token());
    const vendorId = `V-${stamp}`;
    const source = `e2e-adf-${stamp}`;
    const page = await admin("Réception ADF", "Réception ADF");

    // Nothing typed: the API's violation of the request shows next to the vendor's field.
    const vendorForm = page.locator("form[aria-labelledby=adf-vendor-form]");
    const value = vendorForm.getByLabel("Identifiant du vendeur");
    await vendorForm.getByRole("button", { name: "Ajouter la correspondance" }).click();
    await vendorForm.locator(".field-error").waitFor();
    expect(await value.getAttribute("aria-invalid")).toBe("true");

    await value.fill(vendorId);
    await vendorForm.getByLabel("Site").selectOption({ label: "Montréal Nord" });
    await vendorForm.getByRole("button", { name: "Ajouter la correspondance" }).click();
    await page.getByRole("rowheader", { name: `Identifiant ${vendorId}` }).waitFor();
    const vendor = (await adf.listAdfVendors({})).vendors.find((v) => v.vendorId === vendorId);
    expect(vendor?.siteId).toBe(ids.montreal);

    const tokenForm = page.locator("form[aria-labelledby=adf-token-form]");
    await tokenForm.getByLabel("Source des leads").fill(source);
    await tokenForm.getByRole("button", { name: "Créer le jeton" }).click();
    const address = tokenForm.getByLabel("Adresse de réception");
    await address.waitFor();
    const url = await address.inputValue();
    expect(url.startsWith(`${base}/adf/v1/leads/`)).toBe(true);
    await tokenForm.getByRole("button", { name: "Copier" }).click();
    await tokenForm.getByRole("button", { name: "Copiée" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    await page.getByRole("rowheader", { name: source }).waitFor();
    await page.screenshot({ path: join(artefacts, "adf-360x740.png"), fullPage: true });
    const intake = (await adf.listIntakeTokens({})).tokens.find((k) => k.source === source);
    expect(intake?.revokeTime).toBeUndefined();

    const person = customer("Adèle E2e");
    const doc = `<?xml version="1.0"?>
<?adf version="1.0"?>
<adf><prospect status="new">
  <id sequence="1" source="E2E">E2E-${stamp}</id>
  <requestdate>${new Date(Date.now() - 60_000).toISOString()}</requestdate>
  <vehicle interest="buy" status="new"><year>2025</year><make>Peugeot</make><model>208</model></vehicle>
  <customer><contact><name part="first">Adèle</name><name part="last">E2e</name><email>${person.email}</email></contact></customer>
  <vendor><id source="E2E">${vendorId}</id><vendorname>Garage E2E</vendorname></vendor>
  <provider><name part="full">E2E Leads</name></provider>
</prospect></adf>`;
    const post = () => fetch(url, { method: "POST", headers: { "Content-Type": "application/xml" }, body: doc, signal: AbortSignal.timeout(10_000) });
    const res = await post();
    expect(res.status).toBe(200);
    const results = ((await res.json()) as { results: { outcome: string; lead_id?: string }[] }).results;
    expect(results.map((r) => r.outcome)).toEqual(["created"]);
    const leadId = results[0]?.lead_id ?? "";
    const lead = (await client(LeadService, await token()).getLead({ leadId })).lead;
    expect(lead?.siteId).toBe(ids.montreal);
    expect(lead?.source).toBe(source);
    expect(lead?.contact?.email).toBe(person.email);

    // The admin reads the document the lead came from on its card.
    await page.goto(`/leads/${leadId}`);
    await page.getByRole("heading", { name: "Document ADF reçu" }).waitFor();
    await page.getByText("Afficher le XML").click();
    expect(await page.getByRole("region", { name: "Document ADF reçu" }).last().textContent()).toContain(vendorId);

    // The page lists the document by its lead, newest first, and shows its XML on demand.
    await page.getByRole("navigation").getByRole("link", { name: "Réception ADF", exact: true }).click();
    const entry = page.getByRole("region", { name: "Derniers documents ADF et leurs leads" }).getByRole("row").nth(1);
    await entry.getByRole("link", { name: "Adèle E2e" }).waitFor();
    expect(await entry.textContent()).toContain("Lead créé");
    expect(await entry.textContent()).toContain("Montréal Nord");
    expect((await adf.listAdfDocuments({})).documents[0]?.leadId).toBe(leadId);
    await entry.getByRole("button", { name: "Afficher le XML du lead Adèle E2e" }).click();
    await page.getByRole("heading", { name: "Document ADF reçu" }).waitFor();
    expect(await page.locator("pre").textContent()).toContain(vendorId);

    // Revoked, the token's address refuses documents; the mapping deleted, the list forgets it.
    await page.getByRole("button", { name: new RegExp(`^Révoquer le jeton ${source} `) }).click();
    await page.getByRole("row").filter({ hasText: source }).getByText(/^Révoquée le/).waitFor();
    expect((await adf.listIntakeTokens({})).tokens.find((k) => k.source === source)?.revokeTime).toBeDefined();
    expect((await post()).status).toBe(401);
    await page.getByRole("button", { name: `Supprimer la correspondance Identifiant ${vendorId}` }).click();
    await page.getByRole("rowheader", { name: `Identifiant ${vendorId}` }).waitFor({ state: "detached" });
    expect((await adf.listAdfVendors({})).vendors.filter((v) => v.vendorId === vendorId)).toEqual([]);
    await page.context().close();
  });
});

describe("roles", () => {
  it("an advisor is offered neither page, by link or by URL; a manager not the ADF page", async () => {
    let page = await open(ALICE);
    const nav = page.getByRole("navigation");
    for (const [link, path] of [
      ["Distribution", "/distribution"],
      ["Réception ADF", "/adf"],
    ] as const) {
      expect(await nav.getByRole("link", { name: link, exact: true }).count()).toBe(0);
      await page.goto(path);
      await page.getByRole("heading", { name: "Accès refusé" }).waitFor();
    }
    await page.context().close();

    page = await open(MANAGER);
    expect(await page.getByRole("navigation").getByRole("link", { name: "Réception ADF", exact: true }).count()).toBe(0);
    await page.goto("/adf");
    await page.getByRole("heading", { name: "Accès refusé" }).waitFor();
    await page.context().close();
  });
});

describe("accessibility", () => {
  const pages: [string, string][] = [
    [ADMIN, "/distribution"],
    [ADMIN, "/adf"],
    [MANAGER, "/distribution"],
  ];
  for (const [who, path] of pages) {
    it(`has no critical or serious axe violation on ${who}'s page ${path}`, async () => {
      const page = await open(who);
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await page.getByRole("status").filter({ hasText: "Chargement" }).first().waitFor({ state: "detached" });
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().close();
    }, 120_000);
  }
});
