// The admin's configuration pages as an admin uses them, against the real binary and databases
// with the demo organisation: a user created, edited, given an absence and deactivated; a site's
// time zone and closures; a reminder ladder, an interaction status, a two-step follow-up plan,
// the organisation's settings and a cadence rule — each read back through the API; bad input
// shown next to its field; a manager keeping an advisor's absences; what a manager or an advisor
// may not open; and accessibility of every page. Screenshots of the user and plan editors at
// 360 px are kept in web/test-results/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { CallService } from "@relance/api/relance/v1/call_pb";
import { PlanService } from "@relance/api/relance/v1/plan_pb";
import { Channel, Recipient, ReminderService } from "@relance/api/relance/v1/reminder_pb";
import { StatusService } from "@relance/api/relance/v1/status_pb";
import { SenderMode, TeamService } from "@relance/api/relance/v1/team_pb";
import { ActivityKind, Locale, Role } from "@relance/api/relance/v1/types_pb";
import { join } from "node:path";
import { ADMIN, ALICE, MANAGER, artefacts, client, launch, login, phone, seriousViolations, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** open signs email in on a phone-sized page that accepts every confirmation dialog. */
async function open(email: string): Promise<Page> {
  const page = await (await phone(browser)).newPage();
  page.on("dialog", (d) => void d.accept());
  await signIn(page, email);
  return page;
}

/** admin opens an admin page from the navigation. */
async function admin(link: string, heading: string): Promise<Page> {
  const page = await open(ADMIN);
  await page.getByRole("navigation").getByRole("link", { name: link }).click();
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  return page;
}

async function api() {
  return (await login(ADMIN)).token;
}

const stamp = String(Date.now());

describe("admin", () => {
  it("creates a user, sees a bad phone's violation, edits them, adds their absence and deactivates them", async () => {
    const page = await admin("Utilisateurs", "Utilisateurs");
    const form = page.locator("form[aria-labelledby=user-form]");
    const email = `new.${stamp}@demo.relance.test`;
    const name = `Nadia E2e ${stamp}`;
    await form.getByLabel("E-mail professionnel").fill(email);
    await form.getByLabel("Nom affiché").fill(name);
    await form.getByLabel("Rôle").selectOption({ label: "Responsable" });
    await form.getByLabel("Langue").selectOption({ label: "Anglais" });
    await form.getByRole("group", { name: "Sites" }).getByLabel("Lyon Centre").check();
    await form.getByLabel("Téléphone (+33…)").fill("06 12");
    await form.getByLabel("Mot de passe initial").fill("e2e-password-1");
    await form.getByRole("button", { name: "Créer l'utilisateur" }).click();
    const phoneField = form.getByLabel("Téléphone (+33…)");
    await form.locator(".field-error").first().waitFor();
    expect(await phoneField.getAttribute("aria-invalid")).toBe("true");
    const described = await phoneField.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${described}"]`).textContent()).not.toBe("");

    await phoneField.fill("+33612345678");
    await form.getByRole("button", { name: "Créer l'utilisateur" }).click();
    await page.getByRole("heading", { name: `Modifier ${name}` }).waitFor();
    await page.screenshot({ path: join(artefacts, "admin-user-360x740.png"), fullPage: true });

    const team = client(TeamService, await api());
    const sites = (await team.listSites({})).sites;
    const lyon = sites.find((s) => s.name === "Lyon Centre")?.id;
    let saved = (await team.listUsers({})).users.find((u) => u.email === email);
    expect(saved?.displayName).toBe(name);
    expect(saved?.role).toBe(Role.MANAGER);
    expect(saved?.locale).toBe(Locale.EN);
    expect(saved?.siteIds).toEqual([lyon]);
    expect(saved?.phone).toBe("+33612345678");
    expect(saved?.active).toBe(true);

    await form.getByLabel("Rôle").selectOption({ label: "Conseiller" });
    await form.getByLabel("Téléphone (+33…)").fill("+33698765432");
    await form.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByRole("heading", { name: "Nouvel utilisateur" }).waitFor();
    saved = (await team.listUsers({})).users.find((u) => u.email === email);
    expect(saved?.role).toBe(Role.ADVISOR);
    expect(saved?.phone).toBe("+33698765432");

    // Someone else's absence, typed in their site's zone (Lyon: Europe/Paris).
    await page.getByRole("button", { name: `Modifier ${name}` }).click();
    const absence = page.locator("form[aria-labelledby=add-absence]");
    await absence.getByLabel("Début").fill("2027-06-01T09:00");
    await absence.getByLabel("Fin").fill("2027-06-02T18:00");
    await absence.getByLabel("Motif").fill(`Formation ${stamp}`);
    await absence.getByRole("button", { name: "Ajouter" }).click();
    await page.getByRole("listitem").filter({ hasText: `Formation ${stamp}` }).waitFor();
    const absences = (await team.listAbsences({ userId: saved?.id ?? "" })).absences;
    expect(absences.map((a) => a.reason)).toEqual([`Formation ${stamp}`]);

    await form.getByRole("button", { name: "Désactiver" }).click();
    await form.getByRole("button", { name: "Réactiver" }).waitFor();
    saved = (await team.listUsers({})).users.find((u) => u.email === email);
    expect(saved?.active).toBe(false);
    await page.context().close();
  });

  it("changes a site's time zone, a wrong one refused next to the field", async () => {
    const team = client(TeamService, await api());
    const page = await admin("Sites", "Sites");
    const siteName = await page.getByLabel("Sites").evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? "");
    const site = (await team.listSites({})).sites.find((s) => s.name === siteName);
    try {
      const form = page.locator("form[aria-labelledby=time-zone]");
      const zone = form.getByLabel(/^Fuseau horaire/);
      await zone.fill("Mars/Olympus");
      await form.getByRole("button", { name: "Changer de fuseau" }).click();
      await form.locator(".field-error").waitFor();
      expect(await zone.getAttribute("aria-invalid")).toBe("true");
      await zone.fill("Europe/Brussels");
      await form.getByRole("button", { name: "Changer de fuseau" }).click();
      await form.getByRole("status").filter({ hasText: "Enregistré" }).waitFor();
      expect((await team.listSites({})).sites.find((s) => s.id === site?.id)?.timeZone).toBe("Europe/Brussels");
      await page.context().close();
    } finally {
      await team.updateSite({ siteId: site?.id ?? "", timeZone: site?.timeZone ?? "" });
    }
  });

  it("adds and removes a single closure of a site", async () => {
    const page = await admin("Sites", "Sites");
    const reason = `Inventaire ${stamp}`;
    const form = page.locator("form[aria-labelledby=add-closure]");
    await form.getByLabel("Premier jour").fill("2027-09-14");
    await form.getByLabel("Dernier jour (facultatif)").fill("2027-09-13");
    await form.getByRole("button", { name: "Ajouter la fermeture" }).click();
    await form.locator(".field-error").waitFor();
    expect(await form.getByLabel("Dernier jour (facultatif)").getAttribute("aria-invalid")).toBe("true");

    await form.getByLabel("Dernier jour (facultatif)").fill("2027-09-15");
    await form.getByLabel("Motif").fill(reason);
    await form.getByRole("button", { name: "Ajouter la fermeture" }).click();
    await page.getByRole("listitem").filter({ hasText: reason }).waitFor();
    const team = client(TeamService, await api());
    const siteName = await page.getByLabel("Sites").evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? "");
    const site = (await team.listSites({})).sites.find((s) => s.name === siteName);
    expect(site?.closures.find((c) => c.reason === reason)).toMatchObject({ startDate: "2027-09-14", endDate: "2027-09-15" });

    await page.getByRole("button", { name: /^Retirer la fermeture 2027-09-14/ }).click();
    await page.getByRole("listitem").filter({ hasText: reason }).waitFor({ state: "detached" });
    const after = (await team.listSites({})).sites.find((s) => s.id === site?.id);
    expect(after?.closures.some((c) => c.reason === reason)).toBe(false);
    await page.context().close();
  });

  it("edits a site's reminder ladder: a short delay is refused next to it, an escalation rung is saved", async () => {
    const reminders = client(ReminderService, await api());
    const team = client(TeamService, await api());
    const lyon = (await team.listSites({})).sites.find((s) => s.name === "Lyon Centre")?.id ?? "";
    const before = await reminders.getReminderPolicy({ siteId: lyon });
    try {
      const page = await admin("Relances", "Relances");
      await page.getByLabel("Sites").selectOption({ label: "Lyon Centre" });
      await page.getByRole("button", { name: "Ajouter un palier" }).click();
      const n = before.rungs.length + 1;
      const rung = page.getByRole("group", { name: `Palier ${n}`, exact: true });
      const delay = rung.getByLabel(/^Délai après/);
      await delay.fill("0,5");
      await page.getByRole("button", { name: "Enregistrer" }).click();
      await rung.locator(".field-error").first().waitFor();
      expect(await delay.getAttribute("aria-invalid")).toBe("true");

      await delay.fill("6");
      await rung.getByLabel("Son responsable (escalade)").check();
      await rung.getByRole("group", { name: "Par", exact: true }).getByLabel("SMS").check();
      await page.getByRole("button", { name: "Enregistrer" }).click();
      await page.getByRole("status").filter({ hasText: "Enregistré" }).waitFor();
      const after = await reminders.getReminderPolicy({ siteId: lyon });
      expect(after.default).toBe(false);
      expect(after.rungs.length).toBe(n);
      const last = after.rungs[n - 1];
      expect(Number(last?.delay?.seconds)).toBe(6 * 3600);
      expect(last?.recipients).toEqual([Recipient.ADVISOR, Recipient.MANAGER]);
      expect(last?.channels).toEqual([Channel.EMAIL, Channel.SMS]);
      await page.context().close();
    } finally {
      await reminders.setReminderPolicy({ siteId: lyon, rungs: before.rungs });
    }
  });

  it("creates an interaction status, sees a bad delay's violation, edits and deletes it", async () => {
    const page = await admin("Statuts", "Statuts d'interaction");
    const form = page.locator("form[aria-labelledby=status-form]");
    const name = `Rappeler e2e ${stamp}`;
    await form.getByLabel("Nom", { exact: true }).fill(name);
    await form.getByLabel("Programme un appel").check();
    await form.getByLabel("Appel après (jours ouvrés)").fill("400");
    await form.getByRole("button", { name: "Créer le statut" }).click();
    await form.locator(".field-error").waitFor();
    expect(await form.getByLabel("Appel après (jours ouvrés)").getAttribute("aria-invalid")).toBe("true");

    await form.getByLabel("Appel après (jours ouvrés)").fill("2");
    await form.getByRole("button", { name: "Créer le statut" }).click();
    await page.getByRole("row", { name: new RegExp(name) }).waitFor();
    const statuses = client(StatusService, await api());
    let saved = (await statuses.listStatuses({})).statuses.find((s) => s.name === name);
    expect(saved?.schedulesCall).toBe(true);
    expect(saved?.callAfterDays).toBe(2);

    await page.getByRole("button", { name: `Modifier le statut ${name}` }).click();
    await form.getByLabel("Appel après (jours ouvrés)").fill("5");
    await form.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByRole("row", { name: new RegExp(`${name}.*après 5 jour`) }).waitFor();
    saved = (await statuses.listStatuses({})).statuses.find((s) => s.name === name);
    expect(saved?.callAfterDays).toBe(5);

    await page.getByRole("button", { name: `Supprimer le statut ${name}` }).click();
    await page.getByRole("row", { name: new RegExp(name) }).waitFor({ state: "detached" });
    expect((await statuses.listStatuses({ includeArchived: true })).statuses.some((s) => s.name === name)).toBe(false);
    await page.context().close();
  });

  it("creates a follow-up plan with two steps, pauses, resumes and archives it", async () => {
    const page = await admin("Plans de suivi", "Plans de suivi");
    const form = page.locator("form[aria-labelledby=plan-form]");
    const name = `Plan e2e ${stamp}`;
    await form.getByLabel("Nom du plan").fill(name);
    const first = form.getByRole("group", { name: "Étape 1", exact: true });
    await first.getByLabel("Type").selectOption({ label: "E-mail" });
    await first.getByLabel("Envoyé automatiquement par le système").check();
    await first.getByLabel("Objet").fill("Bonjour {{lead.name}}");
    await first.getByLabel("Contenu").fill("Votre conseiller {{advisor.name}} vous rappelle bientôt.");
    await form.getByRole("button", { name: "Ajouter une étape" }).click();
    const second = form.getByRole("group", { name: "Étape 2", exact: true });
    await second.getByLabel("Type").selectOption({ label: "Appel" });
    await second.getByLabel("Après (jours)").fill("2");
    await second.getByLabel("Heure (vide : celle de l'organisation)").fill("9h");
    await form.getByRole("button", { name: "Créer le plan" }).click();
    await second.locator(".field-error").waitFor();
    expect(await second.getByLabel("Heure (vide : celle de l'organisation)").getAttribute("aria-invalid")).toBe("true");

    await second.getByLabel("Heure (vide : celle de l'organisation)").fill("10:30");
    await second.getByRole("group", { name: /^Jours/ }).getByLabel("Mardi").check();
    await page.screenshot({ path: join(artefacts, "admin-plan-360x740.png"), fullPage: true });
    await form.getByRole("button", { name: "Créer le plan" }).click();
    const item = page.getByRole("listitem", { name, exact: true });
    await item.waitFor();

    const plans = client(PlanService, await api());
    const saved = (await plans.listPlans({})).plans.find((p) => p.name === name);
    expect(saved?.steps.map((s) => [s.kind, s.automatic, s.afterDays, s.sendTime])).toEqual([
      [ActivityKind.EMAIL, true, 0, ""],
      [ActivityKind.CALL, false, 2, "10:30"],
    ]);
    expect(saved?.steps[0]?.subject).toBe("Bonjour {{lead.name}}");
    expect(saved?.steps[1]?.weekdays).toEqual([2]);

    // The automatic email carries files: two attached in the editor, one removed; the call none.
    await item.getByRole("button", { name: "Modifier" }).click();
    const editing = form.getByRole("group", { name: "Étape 1", exact: true });
    await form.getByRole("group", { name: "Étape 2", exact: true }).waitFor();
    expect(await form.getByRole("group", { name: "Étape 2", exact: true }).getByLabel("Joindre un fichier").count()).toBe(0);
    const brochure = "Tarifs 2027 : voir la brochure.\n";
    await editing.getByLabel("Joindre un fichier").setInputFiles({ name: "tarifs.txt", mimeType: "text/plain", buffer: Buffer.from(brochure) });
    await editing.getByRole("button", { name: "Retirer tarifs.txt" }).waitFor();
    await editing.getByLabel("Joindre un fichier").setInputFiles({ name: "ancien.txt", mimeType: "text/plain", buffer: Buffer.from("ancien") });
    await editing.getByRole("button", { name: "Retirer ancien.txt" }).click();
    await editing.getByRole("button", { name: "Retirer ancien.txt" }).waitFor({ state: "detached" });
    await editing.getByLabel("Joindre un fichier").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("not a picture") });
    await editing.getByRole("alert").waitFor();
    const files = (await plans.getPlan({ planId: saved?.id ?? "" })).plan?.steps[0]?.files ?? [];
    expect(files.map((f) => [f.fileName, Number(f.sizeBytes)])).toEqual([["tarifs.txt", Buffer.byteLength(brochure)]]);
    await form.getByRole("button", { name: "Annuler" }).click();

    await item.getByRole("button", { name: "Mettre en pause" }).click();
    await item.getByRole("button", { name: "Reprendre" }).waitFor();
    expect((await plans.getPlan({ planId: saved?.id ?? "" })).plan?.paused).toBe(true);
    await item.getByRole("button", { name: "Reprendre" }).click();
    await item.getByRole("button", { name: "Mettre en pause" }).waitFor();
    expect((await plans.getPlan({ planId: saved?.id ?? "" })).plan?.paused).toBe(false);
    await item.getByRole("button", { name: "Archiver" }).click();
    await item.getByText(/^Archivé/).waitFor();
    expect((await plans.getPlan({ planId: saved?.id ?? "" })).plan?.archiveTime).toBeDefined();
    await page.context().close();
  });

  it("changes the organisation's settings, sees a bad time's violation, and sets a cadence rule", async () => {
    const team = client(TeamService, await api());
    const before = (await team.getOrganization({})).organization;
    try {
      const page = await admin("Organisation", "Organisation");
      const form = page.locator("form[aria-labelledby=org-settings]");
      await form.getByLabel("Heure du résumé quotidien").fill("25:00");
      await form.getByRole("button", { name: "Enregistrer" }).click();
      await form.locator(".field-error").waitFor();
      expect(await form.getByLabel("Heure du résumé quotidien").getAttribute("aria-invalid")).toBe("true");

      // Repeat inquiries: a window over a year is refused next to its field.
      const repeat = form.getByLabel("Nouvelles demandes : jours après un lead");
      await form.getByLabel("Heure du résumé quotidien").fill("07:45");
      await repeat.fill("400");
      await form.getByRole("button", { name: "Enregistrer" }).click();
      await form.locator(".field-error").waitFor();
      expect(await repeat.getAttribute("aria-invalid")).toBe("true");
      await repeat.fill("14");
      await form.getByLabel("Heure des envois automatiques").fill("10:15");
      await form.getByLabel("SMS par jour").fill("150");
      await form.getByLabel("Envoyer le résumé quotidien par e-mail").uncheck();
      await form.getByLabel("Les e-mails envoyés par les membres partent de").selectOption({ label: "l'adresse du membre" });
      await form.getByRole("button", { name: "Enregistrer" }).click();
      await form.getByRole("status").filter({ hasText: "Enregistré" }).waitFor();
      const after = (await team.getOrganization({})).organization;
      expect([after?.digestTime, after?.sendTime, after?.smsDailyCap, after?.digestEnabled, after?.repeatDays, after?.senderMode]).toEqual([
        "07:45",
        "10:15",
        150,
        false,
        14,
        SenderMode.MEMBER,
      ]);

      const rule = page.locator("form[aria-labelledby=set-rule]");
      const source = `e2e-${stamp}`;
      await rule.getByLabel("Pour").selectOption({ label: "Une source" });
      await rule.getByLabel("Source").fill(source);
      await rule.getByLabel("Appels par jour").fill("4");
      await rule.getByLabel("Jours ouvrés").fill("2");
      await rule.getByLabel("Rejet trop tôt").selectOption({ label: "refusé" });
      await rule.getByRole("button", { name: "Enregistrer la règle" }).click();
      const shown = page.getByRole("listitem").filter({ hasText: `Source ${source}` });
      await shown.waitFor();
      const calls = client(CallService, await api());
      const saved = (await calls.listCadenceRules({})).rules.find((r) => r.source === source);
      expect([saved?.attemptsPerDay, saved?.days]).toEqual([4, 2]);
      await shown.getByRole("button", { name: /^Retirer la règle/ }).click();
      await shown.waitFor({ state: "detached" });
      expect((await calls.listCadenceRules({})).rules.some((r) => r.source === source)).toBe(false);
      await page.context().close();
    } finally {
      await team.updateOrganization({
        digestTime: before?.digestTime ?? "",
        sendTime: before?.sendTime ?? "",
        smsDailyCap: before?.smsDailyCap ?? 0,
        digestEnabled: before?.digestEnabled ?? true,
        repeatDays: before?.repeatDays ?? 30,
        senderMode: before?.senderMode || SenderMode.ORGANIZATION,
      });
    }
  });
});

describe("manager", () => {
  it("keeps an advisor's absence from the team absences page", async () => {
    const page = await open(MANAGER);
    await page.getByRole("navigation").getByRole("link", { name: "Absences de l'équipe" }).click();
    await page.getByRole("heading", { name: "Absences de l'équipe", level: 1 }).waitFor();
    await page.getByLabel("Conseiller").selectOption({ label: "Bruno Advisor" });
    await page.getByRole("heading", { name: "Absences de Bruno Advisor" }).waitFor();
    const reason = `Séminaire ${stamp}`;
    const form = page.locator("form[aria-labelledby=add-absence]");
    await form.getByLabel("Début").fill("2027-10-04T09:00");
    await form.getByLabel("Fin").fill("2027-10-05T18:00");
    await form.getByLabel("Motif").fill(reason);
    await form.getByRole("button", { name: "Ajouter" }).click();
    const item = page.getByRole("listitem").filter({ hasText: reason });
    await item.waitFor();

    const mgr = await login(MANAGER);
    const team = client(TeamService, mgr.token);
    const bruno = (await team.listUsers({})).users.find((u) => u.displayName === "Bruno Advisor")?.id ?? "";
    const saved = (await team.listAbsences({ userId: bruno })).absences.find((a) => a.reason === reason);
    expect(saved).toBeDefined();
    await item.getByRole("button", { name: /^Retirer l'absence/ }).click();
    await item.waitFor({ state: "detached" });
    expect((await team.listAbsences({ userId: bruno })).absences.some((a) => a.reason === reason)).toBe(false);
    await page.context().close();
  });
});

describe("manager and advisor", () => {
  const pages: [string, string][] = [
    ["Utilisateurs", "/users"],
    ["Relances", "/reminders"],
    ["Statuts", "/statuses"],
    ["Plans de suivi", "/plans"],
    ["Organisation", "/organization"],
  ];
  for (const who of [MANAGER, ALICE]) {
    it(`${who} is offered none of the admin pages, by link or by URL`, async () => {
      const page = await open(who);
      const nav = page.getByRole("navigation");
      for (const [link, path] of pages) {
        expect(await nav.getByRole("link", { name: link, exact: true }).count()).toBe(0);
        await page.goto(path);
        await page.getByRole("heading", { name: "Accès refusé" }).waitFor();
      }
      await page.context().close();
    });
  }

  it("an advisor is offered no team absences", async () => {
    const page = await open(ALICE);
    expect(await page.getByRole("navigation").getByRole("link", { name: "Absences de l'équipe" }).count()).toBe(0);
    await page.goto("/team-absences");
    await page.getByRole("heading", { name: "Accès refusé" }).waitFor();
    await page.context().close();
  });
});

describe("accessibility", () => {
  const pages: [string, string][] = [
    [ADMIN, "/users"],
    [ADMIN, "/reminders"],
    [ADMIN, "/statuses"],
    [ADMIN, "/plans"],
    [ADMIN, "/organization"],
    [MANAGER, "/team-absences"],
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
