// Push notifications as a person sets them up, against the real binary with the demo
// organisation and the in-process catcher standing in for FCM: the Notifications page lists a
// phone registered by the mobile app, removes it and saves what is pushed; an assignment made by
// another client reaches the phone through FCM once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DeviceService } from "@relance/api/relance/v1/device_pb";
import { LeadService } from "@relance/api/relance/v1/lead_pb";
import { TeamService } from "@relance/api/relance/v1/team_pb";
import { ALICE, MANAGER, client, launch, login, phone, seriousViolations, signIn } from "./harness";

const catcher = process.env["CATCHER_ADDR"] ?? "";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function notificationsPage(): Promise<Page> {
  const page = await (await phone(browser)).newPage();
  await signIn(page, ALICE);
  await page.goto(new URL("/notifications", page.url()).href);
  await page.getByRole("heading", { name: "Notifications", level: 1 }).waitFor();
  return page;
}

/** fcmToken is a registration token of the kind the Firebase SDK gives, new for each call. */
function fcmToken(): string {
  return `e2e${Date.now()}:APA91bHun4MxP5egoKMwt2KZFBaFUH-${Math.random().toString(36).slice(2)}`;
}

type Captured = { channel: string; from: string; to: string[]; subject: string; message_id: string; url: string };

async function pushesTo(token: string): Promise<Captured[]> {
  const res = await fetch(`http://${catcher}/api/messages`);
  const all = (await res.json()) as Captured[];
  return all.filter((m) => m.channel === "push" && m.to[0] === token);
}

describe("notifications", () => {
  it("lists a phone the app registered, removes it, and saves what is pushed", async () => {
    const alice = await login(ALICE);
    const devices = client(DeviceService, alice.token);
    await devices.registerDevice({ label: "Pixel e2e", target: { case: "fcmToken", value: fcmToken() } });
    const page = await notificationsPage();
    await page.getByText("Pixel e2e").waitFor();
    // The server has a VAPID key: this browser is offered Web Push.
    await page.getByRole("button", { name: "Activer les notifications sur ce navigateur" }).waitFor();

    await page.getByRole("checkbox", { name: "Un lead attend sa première réponse" }).uncheck();
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByRole("status").filter({ hasText: "Enregistré" }).waitFor();
    const prefs = (await devices.getPushPreferences({})).preferences;
    expect([prefs?.assignments, prefs?.reminders, prefs?.dueActions]).toEqual([true, false, true]);

    await page.getByRole("button", { name: "Retirer l’appareil Pixel e2e" }).click();
    await page.getByText("Pixel e2e").waitFor({ state: "detached" });
    expect((await devices.listDevices({})).devices.map((d) => d.label)).not.toContain("Pixel e2e");
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  });

  it("pushes an assignment made by another client to the phone through FCM, once", async () => {
    const alice = await login(ALICE);
    const token = fcmToken();
    await client(DeviceService, alice.token).registerDevice({ label: "Pixel assign", target: { case: "fcmToken", value: token } });
    const mgr = await login(MANAGER);
    const lyon = (await client(TeamService, mgr.token).listSites({})).sites.find((s) => s.name === "Lyon Centre");
    const name = `Push ${Date.now()}`;
    const lead = await client(LeadService, mgr.token).createLead({
      idempotencyKey: name,
      siteId: lyon?.id ?? "",
      source: "e2e",
      contact: { name, email: "client.push@example.com" },
      assigneeId: alice.user?.id ?? "",
    });
    await expect.poll(async () => (await pushesTo(token)).length, { timeout: 15_000, interval: 250 }).toBe(1);
    await new Promise((r) => setTimeout(r, 2_000)); // room for a duplicate to show
    const pushes = await pushesTo(token);
    expect(pushes.length).toBe(1);
    expect(pushes[0]?.from).toBe("fcm");
    expect(pushes[0]?.subject).toContain(name);
    expect(pushes[0]?.url).toBe(`/leads/${lead.lead?.id ?? ""}`);
  });
});
