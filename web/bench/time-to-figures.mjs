// Time to figures: how long Chromium takes, from navigation start, to show the dashboard's
// figures, signed in with a token, on a first visit (empty cache) and a repeat visit (cached
// assets), with where the time went (resource timing of the page, the WhoAmI and Dashboard calls
// and the dashboard's lazy chunk). `make bench` runs it against the 1,000,000-lead organisation.
//
// Usage: node web/bench/time-to-figures.mjs <base URL> <bearer token> [runs]. Prints one JSON
// object a line, one per visit.
import { chromium } from "playwright-core";

const [base, token, runsArg] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: time-to-figures.mjs <base URL> <token> [runs]");
  process.exit(2);
}
const runs = Number(runsArg ?? 5);
const flags = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
];

// Runs in the page before its scripts: the session, and the instant the figures appear.
function watch(t) {
  localStorage.setItem("relance.session", JSON.stringify({ token: t, expires: 0 }));
  const seen = () => {
    if (document.querySelector('[data-figure="received"]')) {
      window.__figuresAt = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, obs) => {
    if (seen()) obs.disconnect();
  }).observe(document, { childList: true, subtree: true });
}

// Where the time went, in ms from navigation start: when the page's scripts, stylesheets and API
// calls began and ended, by name ("vendor.js", "WhoAmI"), the first of each.
function timings() {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = {};
  for (const e of performance.getEntriesByType("resource")) {
    const path = new URL(e.name).pathname;
    const asset = /^\/assets\/(.+)-[\w-]{8}\.(js|css)$/.exec(path);
    const call = /^\/relance\.v1\.\w+\/(\w+)$/.exec(path);
    const name = asset ? `${asset[1]}.${asset[2]}` : call?.[1];
    if (name && !(name in resources)) resources[name] = [e.startTime, e.responseEnd];
  }
  return { figures: window.__figuresAt, html: nav?.responseEnd, resources };
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: flags, timeout: 30_000 });
try {
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
    ctx.setDefaultTimeout(30_000);
    await ctx.addInitScript(watch, token);
    const page = await ctx.newPage();
    for (const visit of ["first", "repeat"]) {
      if (visit === "first") await page.goto("/dashboard");
      else await page.reload();
      await page.waitForFunction(() => window.__figuresAt !== undefined);
      console.log(JSON.stringify({ visit, ...(await page.evaluate(timings)) }));
    }
    await ctx.close();
  }
} finally {
  await browser.close();
}
