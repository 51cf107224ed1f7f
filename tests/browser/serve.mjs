// Live reload and the findings overlay of `portolan serve`, in headless
// Chromium: a page that is open while its catalog file changes on disk must
// reload by itself with the new content; a change that does not build must
// show the overlay (naming the file and line) over the last good page,
// without reloading it; the overlay must pass axe-core (WCAG 2.1 A and AA,
// light and dark) and be dismissable from the keyboard; and fixing the file
// must take the overlay away and reload the page with the fixed content.
// Console errors, uncaught exceptions and failed or 4xx/5xx requests fail
// it too.
//
//   node tests/browser/serve.mjs URL ROOT
//
// URL is what `portolan serve --root ROOT` printed; ROOT is the catalog it
// serves, as crates/portolan/tests/browser.rs writes it: a component
// `orders` (owner `team-a`) alone in ROOT/orders/catalog-info.yaml, which
// this script rewrites. The steps run in order and each needs the one
// before: the first that fails stops the run and says why.
//
// Environment: PORTOLAN_CHROMIUM (default /usr/bin/chromium, Debian's
// package), PORTOLAN_SCREENSHOTS (default target/browser-screenshots).
// Exit status: 0 all checks passed, 1 a check failed, 2 usage or setup error.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

import { CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, browserDir } from "./chromium.mjs";

const here = browserDir;
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING_IMPACTS = ["serious", "critical"];
/** How long a change on disk may take to reach the page. */
const CHANGE_TIMEOUT_MS = 15_000;
/** A page load, its scripts and stylesheets: a few milliseconds, normally. */
const LOAD_TIMEOUT_MS = 10_000;
/** The whole run; past it the script says which step it was in and exits. */
const RUN_TIMEOUT_MS = 120_000;

/** The fixture's one file with the component `orders`, and its page. */
const ENTITY_FILE = "orders/catalog-info.yaml";
const ENTITY_PAGE = "catalog/component/default/orders/";
const FIRST_DESCRIPTION = "Takes orders from the shop";
const EDITED_DESCRIPTION = "Takes orders from the shop and the phone line";
const FIXED_DESCRIPTION = "Takes orders from the shop, the phone line and the fax";

function entityYaml(description) {
  return `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  description: ${description}
spec:
  type: service
  lifecycle: production
  owner: team-a
`;
}
// An unclosed flow sequence on line 5: YAML that does not parse. The
// parser notices a line or so later (`spec:` cannot be in the sequence), so
// the line the overlay names may be a little after this one.
const BROKEN_YAML = entityYaml("[Takes orders from the shop");
const BROKEN_LINE = 5;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something truthy, through page reloads (an
 * evaluation cut short by a navigation is retried). Throws after `timeout`
 * naming `what`, with the last value or error seen.
 */
async function waitFor(what, probe, timeout = CHANGE_TIMEOUT_MS) {
  const started = Date.now();
  let last = "nothing";
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = JSON.stringify(value);
    } catch (error) {
      last = error.message.split("\n")[0];
    }
    if (Date.now() - started > timeout) {
      throw new Error(`waited ${timeout / 1000}s for ${what}; last saw: ${last}`);
    }
    await sleep(100);
  }
}

function usage(message) {
  console.error(`${message}\nusage: node serve.mjs URL ROOT`);
  process.exit(2);
}

async function main() {
  const [base, root] = process.argv.slice(2);
  if (!base || !root || process.argv.length !== 4) usage("expected URL and ROOT");
  if (!/^http:\/\/[^/]+\/$/.test(base)) usage(`not a URL that serve prints: ${base}`);
  const file = path.join(root, ENTITY_FILE);
  if (!existsSync(file)) usage(`${file} does not exist: ROOT is not the fixture browser.rs writes`);
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} does not exist: install Debian's chromium (apt-get install chromium) or set PORTOLAN_CHROMIUM`);
    process.exit(2);
  }
  let axeSource;
  try {
    axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  } catch {
    console.error(`axe-core is not installed: run \`npm ci\` in ${path.relative(process.cwd(), here) || "."}`);
    process.exit(2);
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  const url = new URL(ENTITY_PAGE, base).href;
  const origin = new URL(base).origin;
  const eventsUrl = `${origin}/_portolan/events`;

  const started = Date.now();
  let current = "starting Chromium";
  const watchdog = setTimeout(() => {
    console.log(`\nFAIL: the run took longer than ${RUN_TIMEOUT_MS / 1000}s, in step "${current}"`);
    process.exit(1);
  }, RUN_TIMEOUT_MS);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  console.log(`Chromium ${browser.version()} (${CHROMIUM}); ${url}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  const page = await context.newPage();

  // What went wrong in the page, whatever step was running.
  let problems = [];
  const favicon = `${origin}/favicon.ico`;
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = msg.location();
    // Chromium asks for /favicon.ico by itself (the page does not), and the
    // theme has no icon: that 404 is not the page's doing.
    if (where?.url === favicon && msg.text().includes("status of 404")) return;
    const at = where && where.url ? ` (at ${where.url}:${where.lineNumber + 1})` : "";
    problems.push(`console error: ${msg.text()}${at}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught exception: ${error.message}`));
  // Requests still waiting for their response (the event stream aside:
  // it is answered at once and then stays open), named when a step times
  // out, since a page that never finishes loading is one of them.
  const pending = new Set();
  page.on("request", (request) => request.url() !== eventsUrl && pending.add(request));
  page.on("requestfinished", (request) => pending.delete(request));
  page.on("requestfailed", (request) => {
    pending.delete(request);
    const why = request.failure()?.errorText;
    // The event stream is open for the page's whole life: a reload cuts it.
    if (request.url() === eventsUrl && why === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.url()} (${why})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && response.url() !== favicon) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on("dialog", async (dialog) => {
    problems.push(`a ${dialog.type()} dialog opened: ${JSON.stringify(dialog.message())}`);
    await dialog.dismiss().catch(() => {});
  });
  // Every Server-Sent Event the page received, in order, seen through the
  // DevTools protocol: reload.js exposes nothing to look at, and must not
  // have to.
  const events = [];
  const cdp = await context.newCDPSession(page);
  cdp.on("Network.eventSourceMessageReceived", ({ eventName, data }) => events.push({ name: eventName, data }));
  await cdp.send("Network.enable");
  /** The first event named `name` at or after index `from`. */
  const eventSince = (from, name) => events.slice(from).find((e) => e.name === name);

  const text = (selector) => page.locator(selector).first().innerText();
  const mainShows = (description) => page.evaluate((d) => document.querySelector("main")?.innerText.includes(d), description);
  /** Marks the document, so that a reload (a new document) is told apart from an update in place. */
  const mark = () => page.evaluate(() => (window.__portolanTestMarker = true));
  const marked = () => page.evaluate(() => window.__portolanTestMarker === true);
  const overlay = page.locator(".portolan-overlay");
  const shot = (name) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });

  let checks = 0;
  let failed = null;
  /** One step: its own checks and whatever went wrong in the page meanwhile. */
  async function step(name, body) {
    if (failed) return;
    current = name;
    const stepStarted = Date.now();
    let found = [];
    try {
      found = (await body()) || [];
    } catch (error) {
      found.push(error.message.split("\n")[0]);
      if (pending.size) {
        const urls = [...pending].map((r) => new URL(r.url()).pathname);
        found.push(`requests serve had not answered by then: ${urls.join(", ")}`);
      }
      await shot("serve-failed").catch(() => {});
    }
    found.push(...problems);
    problems = [];
    checks += 1;
    const seconds = ((Date.now() - stepStarted) / 1000).toFixed(1);
    console.log(`  ${found.length ? "FAIL" : "ok  "}  ${name.padEnd(44)} ${seconds}s`);
    for (const problem of found) console.log(`          - ${problem}`);
    if (found.length) failed = { name, found };
  }

  let build = null;
  await step("open the entity page", async () => {
    const out = [];
    const from = events.length;
    const response = await page.goto(url, { waitUntil: "load", timeout: LOAD_TIMEOUT_MS });
    if (response?.status() !== 200) out.push(`status ${response?.status()}`);
    const h1 = await text("h1");
    if (!h1.includes("orders")) out.push(`the <h1> is "${h1}", not the component orders`);
    if (!(await mainShows(FIRST_DESCRIPTION))) out.push(`the page does not show the description "${FIRST_DESCRIPTION}"`);
    if ((await page.locator('script[src="/_portolan/reload.js"]').count()) !== 1) {
      out.push("the page has no <script src=/_portolan/reload.js> (serve injects it into every page)");
    }
    // Connected: the server greets every new stream with `hello` and the
    // build it serves. Before that a change could be missed, so no file is
    // touched until then.
    const hello = await waitFor("the hello event on /_portolan/events", () => eventSince(from, "hello"), 10_000);
    build = hello.data;
    await shot("serve-page");
    return out;
  });

  await step("change on disk: the page reloads itself", async () => {
    const out = [];
    await mark();
    const from = events.length;
    await writeFile(file, entityYaml(EDITED_DESCRIPTION));
    await waitFor(`the page to show "${EDITED_DESCRIPTION}"`, () => mainShows(EDITED_DESCRIPTION));
    await page.waitForLoadState("load", { timeout: LOAD_TIMEOUT_MS });
    if (await marked()) out.push("the new description is shown but the document is the same one: updated in place, not reloaded");
    // The page reacts to the event as it arrives; the DevTools protocol
    // may report the same message to this script a little later, so the
    // event is waited for (briefly) rather than expected already.
    const reload = await waitFor("the reload event", () => eventSince(from, "reload"), 2_000).catch(() => null);
    if (!reload) out.push("the page reloaded without a reload event");
    else {
      if (reload.data === build) out.push(`the reload event names the build the page already had (${build})`);
      // The reloaded page connects again and is greeted with the new build.
      const hello = await waitFor("the reloaded page's hello", () => eventSince(events.indexOf(reload) + 1, "hello"), 10_000);
      if (hello.data !== reload.data) out.push(`reloaded for build ${reload.data}, then greeted with ${hello.data}`);
      build = hello.data;
    }
    await shot("serve-reloaded");
    return out;
  });

  await step("broken YAML: the overlay, over the last good page", async () => {
    const out = [];
    await mark();
    // Where a reader was: the overlay must not take the focus away (it is
    // an alert, announced without moving focus).
    const focused = await page.evaluate(() => {
      const link = document.querySelector("main a[href]") || document.querySelector("a[href]");
      link?.focus();
      return link ? link.outerHTML.slice(0, 80) : null;
    });
    const from = events.length;
    await writeFile(file, BROKEN_YAML);
    await waitFor("the overlay (.portolan-overlay) to appear", () => overlay.isVisible());
    const error = eventSince(from, "error");
    if (!error) out.push("the overlay appeared without an error event");
    if (!(await marked())) out.push("the page reloaded: it must stay as it was under the overlay");
    if (!(await mainShows(EDITED_DESCRIPTION))) out.push(`under the overlay the page no longer shows the last good description "${EDITED_DESCRIPTION}"`);
    const shown = await overlay.innerText();
    const where = new RegExp(`${ENTITY_FILE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+)`);
    const found = shown.match(where);
    if (!found) out.push(`the overlay does not name ${ENTITY_FILE} with a line number (path:line); it says: ${JSON.stringify(shown.slice(0, 400))}`);
    else if (Number(found[1]) < BROKEN_LINE - 1 || Number(found[1]) > BROKEN_LINE + 5) {
      out.push(`the overlay points at line ${found[1]}; the unclosed [ is on line ${BROKEN_LINE}`);
    }
    const role = await overlay.getAttribute("role");
    if (role !== "alert") out.push(`the overlay has role=${role}, expected alert (so a screen reader announces it)`);
    const box = await overlay.boundingBox();
    if (!box || box.y < 0 || box.y + box.height > 900 || box.width < 200) out.push(`the overlay is not within the viewport: ${JSON.stringify(box)}`);
    if (focused) {
      const still = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80));
      if (still !== focused) out.push(`the overlay moved the focus from ${focused} to ${still}`);
    }
    await shot("serve-overlay");
    return out;
  });

  await step("the overlay passes axe-core (light and dark)", async () => {
    const out = [];
    await page.evaluate(axeSource);
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        WCAG_TAGS,
      );
      for (const violation of result.violations) {
        const nodes = violation.nodes.map((node) => {
          const target = node.target.join(" ");
          const contrast = node.any.find((check) => check.id === "color-contrast")?.data;
          return contrast?.contrastRatio ? `${target} (${contrast.fgColor} on ${contrast.bgColor}: ${contrast.contrastRatio}:1, needs ${contrast.expectedContrastRatio})` : target;
        });
        const line = `[${scheme}] ${violation.id} (${violation.impact}): ${violation.help}: ${nodes.join(", ")}`;
        if (BLOCKING_IMPACTS.includes(violation.impact)) out.push(line);
        else console.log(`          warning: ${line}`);
      }
      if (scheme === "dark") await shot("serve-overlay-dark");
    }
    await page.emulateMedia({ colorScheme: "light" });
    const dismiss = overlay.getByRole("button", { name: "Dismiss" });
    if ((await dismiss.count()) !== 1) out.push("the overlay has no button named Dismiss");
    return out;
  });

  await step("Dismiss, from the keyboard", async () => {
    const out = [];
    const dismiss = overlay.getByRole("button", { name: "Dismiss" });
    // Reachable with Tab: the last stop on the page (the overlay is the
    // last child of <body>), whatever has the focus before. (Escape is
    // the other way; see the next step.)
    await page.evaluate(() => document.activeElement?.blur());
    let reached = false;
    for (let i = 0; i < 100 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await dismiss.evaluate((button) => button === document.activeElement);
    }
    if (!reached) return ["Tab never reaches the Dismiss button"];
    await page.keyboard.press("Enter");
    await waitFor("the overlay to go after Enter on Dismiss", async () => (await overlay.count()) === 0, 2_000);
    if (!(await marked())) out.push("dismissing the overlay reloaded the page");
    return out;
  });

  await step("reloaded by hand: the overlay is back", async () => {
    const out = [];
    const from = events.length;
    await page.reload({ waitUntil: "load", timeout: LOAD_TIMEOUT_MS });
    // A new stream is greeted with the build and, while the last rebuild
    // failed, its error.
    await waitFor("the overlay after a reload while the catalog is broken", () => overlay.isVisible(), 10_000);
    const hello = eventSince(from, "hello");
    if (hello?.data !== build) out.push(`greeted with build ${hello?.data}, expected the last good one, ${build}`);
    if (!(await mainShows(EDITED_DESCRIPTION))) out.push(`the reloaded page does not show the last good description "${EDITED_DESCRIPTION}"`);
    // Escape dismisses it too (the focus on the page, not in a field).
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Escape");
    await waitFor("the overlay to go after Escape", async () => (await overlay.count()) === 0, 2_000);
    return out;
  });

  await step("fixed on disk: overlay gone, page reloaded", async () => {
    const out = [];
    await mark();
    const from = events.length;
    await writeFile(file, entityYaml(FIXED_DESCRIPTION));
    await waitFor(`the page to show "${FIXED_DESCRIPTION}"`, () => mainShows(FIXED_DESCRIPTION));
    await page.waitForLoadState("load", { timeout: LOAD_TIMEOUT_MS });
    if (await marked()) out.push("the fixed description is shown but the page was not reloaded");
    // The page reacts to the event as it arrives; the DevTools protocol
    // may report the same message to this script a little later, so the
    // event is waited for (briefly) rather than expected already.
    const reload = await waitFor("the reload event", () => eventSince(from, "reload"), 2_000).catch(() => null);
    if (!reload) out.push("the page reloaded without a reload event");
    else {
      // The reloaded page is greeted with the new build and no error; a
      // stray error would follow its hello at once.
      const hello = await waitFor("the fixed page's hello", () => eventSince(events.indexOf(reload) + 1, "hello"), 10_000);
      if (hello.data !== reload.data) out.push(`reloaded for build ${reload.data}, then greeted with ${hello.data}`);
      await sleep(300);
      const error = eventSince(events.indexOf(hello), "error");
      if (error) out.push(`the fixed page was still sent an error: ${JSON.stringify(error.data.slice(0, 200))}`);
    }
    if ((await overlay.count()) !== 0) out.push(`the overlay is still there: ${JSON.stringify((await overlay.innerText()).slice(0, 200))}`);
    await shot("serve-fixed");
    return out;
  });

  clearTimeout(watchdog);
  await browser.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n${checks} steps in ${seconds}s; ${events.length} server events seen; screenshots in ${path.relative(process.cwd(), SCREENSHOTS) || "."}`);
  if (failed) {
    console.log(`\nFAIL: step "${failed.name}":`);
    for (const problem of failed.found) console.log(`  ${problem}`);
    process.exit(1);
  }
  console.log("all passed");
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
