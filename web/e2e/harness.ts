// What the browser tests share: Chromium from Debian, API clients (the generated TypeScript
// client over the Connect protocol, as another app would call), sign-in as a demo user.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import type { DescService } from "@bufbuild/protobuf";
import { AuthService, type LoginResponse } from "@relance/api/relance/v1/auth_pb";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** base is the relance binary under test. */
export const base = process.env["RELANCE_URL"] ?? "";
if (!base) throw new Error("RELANCE_URL is not set: run the browser tests through scripts/test.sh");

export const PASSWORD = "demo-password";
export const ADMIN = "admin@demo.relance.test";
export const MANAGER = "marie.manager@demo.relance.test";
export const ALICE = "alice@demo.relance.test";

/** artefacts is where screenshots are kept (git-ignored). */
export const artefacts = join(import.meta.dirname, "..", "test-results");
mkdirSync(artefacts, { recursive: true });

// Flags for a machine without internet (TOOLCHAIN.md); sound may play without a click.
const flags = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
  "--autoplay-policy=no-user-gesture-required",
];

/** launch starts Debian's Chromium, never a downloaded browser. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env["CHROMIUM"] ?? "/usr/bin/chromium", headless: true, args: flags, timeout: 30_000 });
}

/** phone opens a 360 × 740 context in French with bounded waits. */
export async function phone(browser: Browser): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: base, viewport: { width: 360, height: 740 }, locale: "fr-FR", timezoneId: "Europe/Paris" });
  ctx.setDefaultTimeout(10_000);
  ctx.setDefaultNavigationTimeout(15_000);
  return ctx;
}

/** signIn fills the sign-in form as a demo user and waits for the app shell. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("navigation").waitFor();
}

/** login signs a demo user in through the API. */
let customers = 0;

/**
 * customer is a new customer named name, with an email address no other test uses: a second
 * lead for the same address while the first is open would be a repeat inquiry, not a lead.
 */
export function customer(name: string): { name: string; email: string } {
  customers += 1;
  return { name, email: `customer.${Date.now()}.${customers}@example.com` };
}

export function login(email: string): Promise<LoginResponse> {
  return createClient(AuthService, createConnectTransport({ baseUrl: base })).login({ email, password: PASSWORD });
}

/** client calls a service as the bearer of token. */
export function client<S extends DescService>(service: S, token: string): Client<S> {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("Authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(service, createConnectTransport({ baseUrl: base, interceptors: [bearer] }));
}

/** seriousViolations runs axe on the page and returns its critical and serious violations. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const res = await new AxeBuilder({ page }).analyze();
  return res.violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
