// Opens built portolan sites in headless Chromium and checks what a reader's
// browser sees: no console errors (CSP violations are console errors), no
// uncaught exceptions, no failed or 4xx/5xx requests, no request leaving the
// site, links and the keyboard lead where they should, the explorer filter
// hides rows, dark mode changes the colours; and on the XSS fixture, that no
// page runs anything but the theme's own script.
//
// Every page the example part visits is then checked twice more, each time
// in a fresh context of its own: by axe-core (WCAG 2.1 A and AA, light and
// dark colour scheme; serious and critical violations fail, the rest are
// printed as warnings), and at a 375×740 phone viewport, where the page must
// not scroll sideways.
//
//   node tests/browser/run.mjs MODE SITE_DIR BASE_PATH [MODE SITE_DIR BASE_PATH]...
//
// MODE is `example` (a build of examples/acme: the main page types, found by
// following the site's own links and catalog.json) or `xss` (a build of
// tests/browser/fixtures/xss: every HTML page, with dialogs trapped).
// BASE_PATH is the path the site was built for (`--base-url`); the site is
// served under it, so a link that forgets the base is a failed request.
//
// Environment: PORTOLAN_CHROMIUM (default /usr/bin/chromium, Debian's
// package), PORTOLAN_SCREENSHOTS (default target/browser-screenshots).
// Exit status: 0 all checks passed, 1 some failed (each is listed), 2 usage
// or setup error.

import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdir, readFile, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

import { CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, browserDir } from "./chromium.mjs";

const here = browserDir;
// axe-core is a script for the page, not a module for node: its file is read
// and evaluated in each page (see checkAccessibility). Null when not installed.
const AXE_SCRIPT = (() => {
  try {
    return createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  } catch {
    return null;
  }
})();


const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".yaml": "application/yaml; charset=utf-8",
  ".yml": "application/yaml; charset=utf-8",
  ".xml": "application/xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".txt": "text/plain; charset=utf-8",
};

// ---------------------------------------------------------------- server

/**
 * Serves `root` under `base` on 127.0.0.1 (a free port), as a static host
 * would: directories answer with their index.html, anything missing with the
 * site's 404.html and status 404, nothing outside `root`.
 */
async function serveSite(root, base) {
  const realRoot = await realpath(root);
  const notFoundPage = path.join(realRoot, "404.html");

  const server = createServer(async (req, res) => {
    const send = async (status, file, headers = {}) => {
      const body = file ? await readFile(file) : Buffer.from(`${status}\n`);
      const type = file
        ? CONTENT_TYPES[path.extname(file).toLowerCase()] || "application/octet-stream"
        : "text/plain; charset=utf-8";
      res.writeHead(status, {
        "Content-Type": type,
        "Content-Length": body.length,
        // A wrong Content-Type must show up as a blocked stylesheet or
        // script, not be papered over by sniffing.
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        ...headers,
      });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const notFound = () => send(404, existsSync(notFoundPage) ? notFoundPage : null);

    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return await send(405, null, { Allow: "GET, HEAD" });
      }
      const { pathname: rawPath } = new URL(req.url, "http://127.0.0.1");
      let pathname;
      try {
        pathname = decodeURIComponent(rawPath);
      } catch {
        return await send(400, null);
      }
      if (pathname.includes("\0") || pathname.includes("\\")) {
        return await send(400, null);
      }
      if (!pathname.startsWith(base)) {
        return await notFound();
      }
      let file = path.join(realRoot, pathname.slice(base.length));
      // `..` (also percent-encoded) must not climb out of the site, and a
      // symlink inside it must not point out of it either.
      const inside = (p) => p === realRoot || p.startsWith(realRoot + path.sep);
      if (!inside(file)) {
        return await send(403, null);
      }
      let info;
      try {
        file = await realpath(file);
        info = await stat(file);
      } catch {
        return await notFound();
      }
      if (!inside(file)) {
        return await send(403, null);
      }
      if (info.isDirectory()) {
        if (!rawPath.endsWith("/")) {
          return await send(301, null, { Location: `${rawPath}/` });
        }
        file = path.join(file, "index.html");
        if (!existsSync(file)) {
          return await notFound();
        }
      }
      return await send(200, file);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      }
      res.end(`${error}\n`);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((resolve) => server.close(resolve)) };
}

// ---------------------------------------------------------------- results

const failures = [];
let checks = 0;
let warningCount = 0;

/** Prints one check; `problems` fail the run, `warnings` are only shown. */
function report(site, name, problems, detail = "", warnings = []) {
  checks += 1;
  const status = problems.length ? "FAIL" : "ok  ";
  console.log(`  ${status}  ${name.padEnd(30)} ${detail}`);
  for (const problem of problems) {
    console.log(`          - ${problem}`);
    failures.push(`${site}: ${name}: ${problem}`);
  }
  for (const warning of warnings) {
    console.log(`          warning: ${warning}`);
  }
  warningCount += warnings.length;
}

// ---------------------------------------------------------------- the page

/**
 * One browser page with listeners that collect, for whatever is loaded
 * between two `take()` calls: console errors, uncaught exceptions, failed
 * requests, error responses, requests to other origins, dialogs, and (through
 * the Chrome DevTools Protocol) every script the page compiled that is not a
 * file of the site itself.
 */
async function openPage(context, origin) {
  const page = await context.newPage();
  let problems = [];
  let allowedErrorStatus = null; // the URL of a deliberate 404
  const external = new Set();

  await context.route(
    (url) => url.origin !== origin,
    async (route) => {
      const url = route.request().url();
      external.add(url);
      problems.push(`request to another origin: ${url}`);
      await route.abort("blockedbyclient");
    },
  );
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const where = msg.location();
      // Chromium logs the status of every failed load, the deliberate 404
      // page included; that one is expected.
      if (where?.url === allowedErrorStatus && msg.text().startsWith("Failed to load resource: the server responded with a status of 404")) {
        return;
      }
      const at = where && where.url ? ` (at ${where.url}:${where.lineNumber + 1})` : "";
      problems.push(`console error: ${msg.text()}${at}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`uncaught exception: ${error.message}`));
  page.on("requestfailed", (request) => {
    if (external.has(request.url())) {
      return; // reported by the route above
    }
    // The browser fetches the icon at low priority and drops the request
    // when the test navigates on first: not a failure of the page.
    if (request.url().endsWith("/assets/favicon.svg") && request.failure()?.errorText === "net::ERR_ABORTED") {
      return;
    }
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && response.url() !== allowedErrorStatus) {
      problems.push(`HTTP ${response.status()} for ${response.url()}`);
    }
  });
  page.on("dialog", async (dialog) => {
    problems.push(`a ${dialog.type()} dialog opened: ${JSON.stringify(dialog.message())}`);
    await dialog.dismiss().catch(() => {});
  });

  // Script compiled in the page, whatever it calls: inline <script>, event
  // handlers that fired, javascript: URLs, eval. Only the site's own files
  // (and Playwright's evaluation scripts, which carry no URL) are expected.
  const cdp = await context.newCDPSession(page);
  cdp.on("Debugger.scriptParsed", (event) => {
    if (!event.url || event.url.startsWith("__playwright")) {
      return;
    }
    let sameOriginFile = false;
    try {
      const url = new URL(event.url);
      sameOriginFile = url.origin === origin && url.pathname.endsWith(".js");
    } catch {
      // not a URL: treat as foreign
    }
    if (!sameOriginFile) {
      problems.push(`script ran from ${event.url} (line ${event.startLine + 1})`);
    }
  });
  await cdp.send("Debugger.enable");

  return {
    page,
    expectErrorStatus(url) {
      allowedErrorStatus = url;
    },
    take() {
      const taken = problems;
      problems = [];
      allowedErrorStatus = null;
      return taken;
    },
    /** What arrived after the last check was reported (a late request). */
    leftovers() {
      return this.take().map((problem) => `after the previous check: ${problem}`);
    },
  };
}

/**
 * What every page must satisfy once loaded, checked in the DOM the browser
 * built (not the HTML text, so mis-nested markup is judged as parsed).
 */
async function auditDom(page) {
  return page.evaluate(() => {
    const out = [];
    const short = (s) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);
    if (!document.title.trim()) out.push("the page has no <title>");
    const h1 = document.querySelector("h1");
    if (!h1 || !h1.textContent.trim()) out.push("the page has no <h1>");
    if (!document.querySelector('meta[http-equiv="Content-Security-Policy"]')) {
      out.push("the page has no Content-Security-Policy");
    }
    for (const script of document.scripts) {
      if (!script.src) out.push(`inline <script>: ${short(script.textContent.trim())}`);
      else if (new URL(script.src).origin !== location.origin) out.push(`script from ${script.src}`);
    }
    const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping"];
    const allowed = ["http:", "https:", "mailto:"];
    const forbidden = ["iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "style", "portal", "animate", "set", "animatemotion", "animatetransform", "foreignobject", "noscript", "template"];
    for (const el of document.querySelectorAll("*")) {
      const name = el.localName.toLowerCase();
      // The theme's own search form (no-JS fallback: it submits to the
      // explorer) is the one form a page may have; user content never
      // gets one past the sanitiser.
      const themeSearch = name === "form" && el.matches("header.top > form.search[role=search]");
      if (forbidden.includes(name) && !themeSearch) out.push(`<${name}> element: ${short(el.outerHTML)}`);
      if (name === "meta" && el.httpEquiv && el.httpEquiv.toLowerCase() !== "content-security-policy") {
        out.push(`<meta http-equiv="${el.httpEquiv}">`);
      }
      // The theme's stylesheet and icon, and an API page's changes feed
      // (Atom), all on this origin; nothing else.
      const ownLink = () =>
        el.href &&
        new URL(el.href).origin === location.origin &&
        (el.rel === "stylesheet" ||
          (el.rel === "alternate" && el.type === "application/atom+xml") ||
          (el.rel === "icon" && el.type === "image/svg+xml"));
      if (name === "link" && !ownLink()) {
        out.push(`<link>: ${short(el.outerHTML)}`);
      }
      for (const attribute of el.attributes) {
        const attr = attribute.name.toLowerCase();
        if (attr.startsWith("on")) out.push(`${attr}= handler on <${name}>: ${short(attribute.value)}`);
        if (attr === "srcdoc") out.push(`srcdoc on <${name}>`);
        if (urlAttributes.includes(attr)) {
          let protocol = "invalid:";
          try {
            protocol = new URL(attribute.value.trim(), document.baseURI).protocol;
          } catch {
            // unparsable: reported as `invalid:` below
          }
          if (!allowed.includes(protocol)) {
            out.push(`${protocol} URL in ${attr} of <${name}>: ${short(attribute.value)}`);
          }
        }
      }
    }
    // In-page links must have a target (the skip link, the TOC, operations).
    for (const a of document.querySelectorAll('a[href^="#"]')) {
      const id = decodeURIComponent(a.getAttribute("href").slice(1));
      if (id && !document.getElementById(id)) out.push(`in-page link to #${id}, which no element has`);
    }
    for (const img of document.images) {
      // An <img> whose unsafe src the sanitiser removed loads nothing, by design.
      if (!img.getAttribute("src")) continue;
      if (!img.complete || img.naturalWidth === 0) out.push(`image did not load: ${img.src}`);
    }
    return out;
  });
}

async function settle(page) {
  // `load` waits for stylesheets, scripts and images; a deferred script has
  // run by then.
  await page.waitForLoadState("load");
}

function slug(s) {
  return s.replace(/[^a-zA-Z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "root";
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${slug(name)}.png`), fullPage: true });
}

// ---------------------------------------------------------------- example

async function checkExample(browser, dir, base) {
  const site = "example";
  const { origin, close } = await serveSite(dir, base);
  const home = `${origin}${base}`;
  console.log(`\nexample site ${dir}, served at ${home}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  const tab = await openPage(context, origin);
  const { page } = tab;
  const pathOf = (url) => new URL(url).pathname;
  // Every page loaded by visit(), for the accessibility and phone passes.
  const visited = [];

  /** Loads a page, runs the checks every page gets, saves a screenshot. */
  async function visit(name, url, { status = 200, shot = true, extra } = {}) {
    visited.push({ name, url });
    const late = tab.leftovers();
    if (status !== 200) tab.expectErrorStatus(url);
    let problems = [];
    try {
      const response = await page.goto(url, { waitUntil: "load" });
      await settle(page);
      if (!response) problems.push("no response");
      else if (response.status() !== status) {
        problems.push(`status ${response.status()}, expected ${status}`);
      }
      problems.push(...(await auditDom(page)));
      if (extra) problems.push(...(await extra()));
      if (shot) await screenshot(page, `example-${name}`);
    } catch (error) {
      problems.push(`could not load: ${error.message.split("\n")[0]}`);
    }
    problems = [...late, ...tab.take(), ...problems];
    report(site, name, problems, pathOf(url));
  }

  /** A step that is not one page load: its own problems plus the page's. */
  async function step(name, body) {
    const late = tab.leftovers();
    let problems = [];
    try {
      problems = (await body()) || [];
    } catch (error) {
      problems.push(error.message.split("\n")[0]);
    }
    report(site, name, [...late, ...tab.take(), ...problems]);
  }

  /** href of the first link matching a role query, as an absolute URL. */
  async function linkHref(locator, what) {
    const count = await locator.count();
    if (count === 0) throw new Error(`no link: ${what} (on ${pathOf(page.url())})`);
    return new URL(await locator.first().getAttribute("href"), page.url()).href;
  }

  const catalog = await (await fetch(`${home}catalog.json`)).json();
  const entities = catalog.entities;

  // Home, and the sections every page links to from its header.
  await visit("home", home);
  const header = page.locator("header");
  const explorerUrl = await linkHref(header.getByRole("link", { name: "Catalog", exact: true }), "Catalog in the header");
  const checksUrl = await linkHref(header.getByRole("link", { name: /^Checks/ }), "Checks in the header");

  await step("dark mode", async () => {
    const colours = () =>
      page.evaluate(() => {
        const style = getComputedStyle(document.body);
        return { background: style.backgroundColor, text: style.color };
      });
    await page.goto(home);
    const light = await colours();
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await colours();
    await screenshot(page, "example-home-dark");
    await page.emulateMedia({ colorScheme: "light" });
    const problems = [];
    if (light.background === dark.background) {
      problems.push(`body background is ${light.background} in both light and dark mode`);
    }
    if (light.text === dark.text) problems.push(`body text colour is ${light.text} in both modes`);
    return problems;
  });

  // The switch beats the system's preference, and is remembered.
  await step("theme switch, favicon and print", async () => {
    const problems = [];
    const state = () =>
      page.evaluate(() => ({
        theme: document.documentElement.getAttribute("data-theme"),
        background: getComputedStyle(document.body).backgroundColor,
      }));
    await page.goto(home);
    await settle(page);
    const light = await state();
    const button = page.locator("button.theme-switch");
    if (!(await button.isVisible())) return ["the theme switch is not visible"];
    if ((await button.textContent()) !== "Dark theme") problems.push(`the switch reads "${await button.textContent()}" in light mode`);
    await button.click();
    const dark = await state();
    if (dark.theme !== "dark" || dark.background === light.background) {
      problems.push(`after the switch: data-theme=${dark.theme}, background ${dark.background} (light was ${light.background})`);
    }
    await page.reload();
    await settle(page);
    const kept = await state();
    if (kept.theme !== "dark" || kept.background !== dark.background) problems.push(`after a reload the choice was lost: ${JSON.stringify(kept)}`);
    // Light chosen on a system that prefers dark stays light.
    await page.locator("button.theme-switch").click();
    await page.emulateMedia({ colorScheme: "dark" });
    const chosen = await state();
    if (chosen.theme !== "light" || chosen.background !== light.background) {
      problems.push(`light chosen under a dark system preference: ${JSON.stringify(chosen)}`);
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.evaluate(() => localStorage.removeItem("portolan-theme"));
    // The icon every page names exists and is an SVG.
    const icon = await page.evaluate(async () => {
      const link = document.querySelector('link[rel="icon"]');
      if (!link) return null;
      const response = await fetch(link.href);
      return { status: response.status, type: response.headers.get("content-type") };
    });
    if (!icon) problems.push("no <link rel=icon>");
    else if (icon.status !== 200 || !String(icon.type).startsWith("image/svg+xml")) problems.push(`the icon: ${JSON.stringify(icon)}`);
    // Paper gets the content without the header's controls.
    await page.emulateMedia({ media: "print" });
    const printed = await page.evaluate(() => ({
      header: getComputedStyle(document.querySelector("header.top")).display,
      background: getComputedStyle(document.body).backgroundColor,
    }));
    await page.emulateMedia({ media: "screen" });
    if (printed.header !== "none") problems.push(`printed, the header shows (display: ${printed.header})`);
    if (printed.background !== "rgb(255, 255, 255)") problems.push(`printed on ${printed.background}, not white`);
    return problems;
  });

  /** One language at a time, the same on every operation, remembered. */
  async function checkSamples(url) {
    const problems = [];
    await page.goto(url);
    await settle(page);
    const visible = () =>
      page.evaluate(() =>
        [...document.querySelectorAll("div.samples")].map((set) =>
          [...set.querySelectorAll("section.sample")].filter((s) => getComputedStyle(s).display !== "none").map((s) => s.getAttribute("data-lang")),
        ),
      );
    const before = await visible();
    if (before.length === 0) return ["no code samples on the operations page"];
    if (!before.every((langs) => langs.length === 1 && langs[0] === "curl")) problems.push(`at first: ${JSON.stringify(before)}`);
    await page.getByLabel("Language").first().selectOption("python");
    const after = await visible();
    if (!after.every((langs) => langs.length === 1 && langs[0] === "python")) problems.push(`after choosing Python: ${JSON.stringify(after)}`);
    await page.reload();
    await settle(page);
    const kept = await visible();
    if (!kept.every((langs) => langs.length === 1 && langs[0] === "python")) problems.push(`after a reload: ${JSON.stringify(kept)}`);
    await page.evaluate(() => localStorage.removeItem("portolan-lang"));
    // Every code block has a copy button, and it copies the block's text.
    const blocks = await page.evaluate(() => [...document.querySelectorAll("main pre")].map((pre) => Boolean(pre.parentElement.querySelector(":scope > button.copy"))));
    if (!blocks.length || !blocks.every(Boolean)) problems.push(`copy buttons on ${blocks.filter(Boolean).length} of ${blocks.length} code blocks`);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const button = page.locator("section.sample:visible button.copy").first();
    await button.click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const shown = await page.locator("section.sample:visible pre").first().innerText();
    if (copied !== shown) problems.push(`copied ${JSON.stringify(copied.slice(0, 80))}, the block shows ${JSON.stringify(shown.slice(0, 80))}`);
    if ((await button.textContent()) !== "Copied") problems.push(`the button reads "${await button.textContent()}" after copying`);
    return problems;
  }

  /**
   * The operations page: bodies are schema trees in the operation; several
   * examples of one body show one at a time behind a selector; each
   * operation's "Copy link" copies its absolute URL. Without JavaScript,
   * every example shows and no copy-link button does.
   */
  async function checkReferenceControls(url) {
    const problems = [];
    await page.goto(url);
    await settle(page);
    const rows = await page.locator("article.operation .schema ul.props > li").count();
    if (rows === 0) problems.push("no schema rows in the operations");
    // Examples: one shown, the selector switches.
    const sets = page.locator("div.examples");
    if ((await sets.count()) === 0) problems.push(`no body with several examples on ${url}`);
    else {
      const set = sets.first();
      const shown = () => set.evaluate((el) => [...el.querySelectorAll(":scope > figure.example")].map((f) => getComputedStyle(f).display !== "none"));
      const before = await shown();
      if (before.filter(Boolean).length !== 1 || !before[0]) problems.push(`examples shown at first: ${JSON.stringify(before)}`);
      await set.getByLabel("Example").selectOption({ index: 1 });
      const after = await shown();
      if (after.filter(Boolean).length !== 1 || !after[1]) problems.push(`examples shown after choosing the second: ${JSON.stringify(after)}`);
    }
    // Copy link: the absolute URL of the operation's anchor.
    const article = page.locator("article.operation").first();
    const id = await article.getAttribute("id");
    const button = article.locator("h2 button.copy-link");
    if (!(await button.isVisible())) problems.push("the first operation's Copy link button is not visible");
    else {
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
      await button.click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      const expected = new URL(`#${id}`, page.url()).href;
      if (copied !== expected) problems.push(`Copy link copied ${JSON.stringify(copied)}, expected ${JSON.stringify(expected)}`);
    }
    // Without JavaScript: every example, no copy-link button.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    try {
      const bare = await plain.newPage();
      await bare.goto(url);
      const state = await bare.evaluate(() => ({
        hiddenFigures: [...document.querySelectorAll("div.examples figure.example")].filter((f) => getComputedStyle(f).display === "none").length,
        copyButtons: [...document.querySelectorAll("button.copy-link")].filter((b) => getComputedStyle(b).display !== "none").length,
        selectors: [...document.querySelectorAll(".example-switch")].filter((p) => getComputedStyle(p).display !== "none").length,
      }));
      if (state.hiddenFigures) problems.push(`without JavaScript ${state.hiddenFigures} examples are hidden`);
      if (state.copyButtons) problems.push(`without JavaScript ${state.copyButtons} Copy link buttons show`);
      if (state.selectors) problems.push(`without JavaScript ${state.selectors} example selectors show`);
    } finally {
      await plain.close();
    }
    return problems;
  }

  await step("keyboard: Tab from the top", async () => {
    const problems = [];
    await page.goto(home);
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      const focusable = [...document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]")].filter(
        (el) => el.tabIndex >= 0 && !el.disabled && !el.closest("[hidden]"),
      );
      const active = document.activeElement;
      const box = active.getBoundingClientRect();
      return {
        isFirst: active === focusable[0],
        describe: `<${active.localName}${active.className ? ` class="${active.className}"` : ""}> ${active.textContent.trim().slice(0, 40)}`,
        href: active.getAttribute("href"),
        visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.top < innerHeight,
      };
    });
    if (!focus.isFirst) problems.push(`the first Tab focused ${focus.describe}, not the first focusable element`);
    if (!focus.visible) problems.push(`${focus.describe} has focus but is not visible on screen`);
    if (focus.href && focus.href.startsWith("#")) {
      // A skip link: Enter jumps to its target and the next Tab stays there.
      await page.keyboard.press("Enter");
      const hash = await page.evaluate(() => location.hash);
      if (hash !== focus.href) problems.push(`Enter on the skip link left the URL at "${hash}", expected "${focus.href}"`);
      await page.keyboard.press("Tab");
      const inside = await page.evaluate((id) => {
        const target = document.getElementById(id);
        return Boolean(target && target.contains(document.activeElement));
      }, decodeURIComponent(focus.href.slice(1)));
      if (!inside) problems.push(`after the skip link, Tab did not move into ${focus.href}`);
    }
    return problems;
  });

  await step("click: home to an entity", async () => {
    const problems = [];
    await page.goto(home);
    const homeH1 = (await page.locator("h1").innerText()).trim();
    // The first link in the content that leads to an entity page
    // (catalog/KIND/NAMESPACE/NAME/).
    const entityPath = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}catalog/[^/]+/[^/]+/[^/]+/$`);
    const links = page.locator("main a[href]");
    let target = null;
    for (let i = 0; i < (await links.count()); i++) {
      const href = await links.nth(i).getAttribute("href");
      if (entityPath.test(new URL(href, page.url()).pathname)) {
        target = links.nth(i);
        break;
      }
    }
    if (!target) return ["the home page links to no entity page"];
    const label = (await target.innerText()).trim();
    const href = new URL(await target.getAttribute("href"), page.url()).href;
    await Promise.all([page.waitForURL(href), target.click()]);
    await settle(page);
    const h1 = (await page.locator("h1").innerText()).trim();
    if (page.url() !== href) problems.push(`clicking "${label}" led to ${page.url()}, expected ${href}`);
    if (h1 === homeH1 || !h1.startsWith(label)) problems.push(`after clicking "${label}" the <h1> is "${h1}"`);
    await page.goBack();
    await settle(page);
    if (page.url() !== home) problems.push(`Back led to ${page.url()}, expected ${home}`);
    return problems;
  });

  // The explorer, its filter, and one page per kind.
  await visit("explorer", explorerUrl);
  await step("explorer filter", async () => {
    const problems = [];
    const input = page.locator("input[data-filter-table]");
    if ((await input.count()) === 0) return ["the explorer has no filter input"];
    const table = page.locator(`#${await input.getAttribute("data-filter-table")}`);
    const rows = table.locator("tbody tr");
    const visibleRows = () => table.locator("tbody tr:not([hidden])").count();
    const total = await rows.count();
    if (total < 3) return [`the explorer lists ${total} rows`];
    // A word from one row's name: some rows match it, not all.
    const word = (await rows.nth(Math.floor(total / 2)).locator("td").first().innerText()).trim().split(/\s+/)[0].toLowerCase();
    await input.pressSequentially(word);
    const shown = await visibleRows();
    if (shown === 0 || shown >= total) problems.push(`typing "${word}" left ${shown} of ${total} rows visible`);
    const strays = (await table.locator("tbody tr:not([hidden])").allInnerTexts()).filter((t) => !t.toLowerCase().includes(word));
    if (strays.length) {
      problems.push(`${strays.length} rows without "${word}" stayed visible, the first: ${strays[0].replace(/\s+/g, " ").slice(0, 60)}`);
    }
    await screenshot(page, "example-explorer-filtered");
    await input.fill("no-entity-is-called-this");
    if ((await visibleRows()) !== 0) problems.push("a filter that matches nothing left rows visible");
    await input.fill("");
    if ((await visibleRows()) !== total) problems.push("clearing the filter did not bring every row back");
    return problems;
  });

  // The explorer's columns sort, its facets filter with counts, and the
  // address keeps both: reopened, it shows the same rows in the same order.
  await visit("explorer-for-facets", explorerUrl, { shot: false });
  await step("explorer sort, facets and address", async () => {
    const problems = [];
    const table = page.locator("#entities");
    const names = () => table.locator("tbody tr:not([hidden]) td:first-child").allInnerTexts();
    const sortButton = table.locator('th[data-sort="name"] button');
    if ((await sortButton.count()) === 0) return ["the Name column has no sort button"];
    await sortButton.click();
    const ascending = await names();
    const sorted = [...ascending].sort((a, b) => a.trim().toLowerCase().localeCompare(b.trim().toLowerCase(), undefined, { numeric: true }));
    if (JSON.stringify(ascending) !== JSON.stringify(sorted)) problems.push(`sorted by name: ${ascending.slice(0, 5).join(", ")}…`);
    if ((await table.locator('th[data-sort="name"]').getAttribute("aria-sort")) !== "ascending") problems.push("the Name heading is not aria-sort=ascending");
    await sortButton.click();
    const descending = await names();
    if (JSON.stringify(descending) !== JSON.stringify([...sorted].reverse())) problems.push(`sorted by name, descending: ${descending.slice(0, 5).join(", ")}…`);
    // A facet: the lifecycle value that leaves some rows but not all.
    const total = await table.locator("tbody tr").count();
    const values = page.locator('.facet-sidebar section[data-facet="lifecycle"] li[data-value]');
    let chosen = null;
    for (let i = 0; i < (await values.count()); i++) {
      const count = Number(await values.nth(i).locator(".count").innerText());
      if (count > 0 && count < total) { chosen = { li: values.nth(i), count, value: await values.nth(i).getAttribute("data-value") }; break; }
    }
    if (!chosen) return [...problems, "no lifecycle value in the sidebar narrows the table"];
    await chosen.li.locator('input[type="checkbox"]').check();
    const shown = await table.locator("tbody tr:not([hidden])").count();
    if (shown !== chosen.count) problems.push(`lifecycle ${chosen.value}: ${shown} rows shown, the sidebar said ${chosen.count}`);
    const strays = await table.locator("tbody tr:not([hidden])").evaluateAll((rows, v) => rows.filter((r) => !r.querySelector(`a[href$="/_by/lifecycle/${v}/"]`)).length, chosen.value);
    if (strays) problems.push(`${strays} rows shown without lifecycle ${chosen.value}`);
    const status = await page.locator("#result-count").innerText();
    if (!status.startsWith(`${chosen.count} of ${total}`)) problems.push(`the result count says "${status}"`);
    // Counts of the other facets follow the filter: each type's count is
    // the rows shown with that type.
    const typeCounts = await page.locator('.facet-sidebar section[data-facet="type"] li[data-value]').evaluateAll((lis) =>
      lis.map((li) => ({ value: li.getAttribute("data-value"), count: Number(li.querySelector(".count").textContent) })));
    if (typeCounts.length === 0) problems.push("the sidebar has no type facet");
    for (const { value, count } of typeCounts) {
      const rowsOfType = await table.locator("tbody tr:not([hidden])").evaluateAll((rows, v) => rows.filter((r) => r.querySelector(`a[href$="/_by/type/${v}/"]`)).length, value);
      if (rowsOfType !== count) problems.push(`type ${value}: the sidebar counts ${count} under the filter, ${rowsOfType} rows shown`);
    }
    // Kinds are the navigation above the table, not a second list beside it.
    if ((await page.locator('.facet-sidebar section[data-facet="kind"]').count()) !== 0) problems.push("the sidebar lists the kinds again");
    const address = new URL(page.url());
    if (address.searchParams.get("lifecycle") !== chosen.value || address.searchParams.get("sort") !== "name" || address.searchParams.get("order") !== "desc") {
      problems.push(`the address does not keep the view: ${address.search}`);
    }
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (wide > 0) problems.push(`the explorer scrolls sideways by ${wide}px on a desktop screen`);
    await screenshot(page, "example-explorer-facets");
    const before = await names();
    await page.goto(address.href);
    await settle(page);
    const after = await names();
    if (JSON.stringify(before) !== JSON.stringify(after)) problems.push(`reopened, the address shows ${after.length} rows (${after.slice(0, 3).join(", ")}…), not the ${before.length} it was copied with`);
    if (!(await page.locator(`.facet-sidebar section[data-facet="lifecycle"] li[data-value="${chosen.value}"] input`).isChecked())) problems.push("reopened, the facet's checkbox is not checked");
    if ((await table.locator('th[data-sort="name"]').getAttribute("aria-sort")) !== "descending") problems.push("reopened, the Name column is not sorted descending");
    // Clearing brings every row back and empties the address.
    await page.locator(".facet-sidebar button.clear").click();
    if ((await table.locator("tbody tr:not([hidden])").count()) !== total) problems.push("Clear filters did not bring every row back");
    if (new URL(page.url()).searchParams.has("lifecycle")) problems.push("Clear filters left the facet in the address");
    // Levels sort by rank (not by name), rows without one last, and filter
    // like any other facet.
    const levelSort = table.locator('th[data-sort="level"] button');
    if ((await levelSort.count()) === 0) return [...problems, "the Level column has no sort button"];
    await levelSort.click();
    const keys = await table.locator("tbody tr:not([hidden])").evaluateAll((rows) =>
      rows.map((r) => r.cells[r.cells.length - 1].getAttribute("data-sort-value") || ""));
    const ranked = keys.filter(Boolean);
    const byRank = (a, b) => a.localeCompare(b, undefined, { numeric: true });
    if (JSON.stringify(ranked) !== JSON.stringify([...ranked].sort(byRank))) problems.push(`sorted by level: ${ranked.slice(0, 8).join(", ")}…`);
    const firstEmpty = keys.indexOf("");
    if (firstEmpty !== -1 && keys.slice(firstEmpty).some(Boolean)) problems.push("rows without a level are not last");
    if (new Set(ranked).size < 2) problems.push("the example's levels do not differ, so sorting by them proves nothing");
    const level = page.locator('.facet-sidebar section[data-facet="level"] li[data-value]').first();
    if ((await level.count()) === 0) return [...problems, "the sidebar has no level facet"];
    const levelValue = await level.getAttribute("data-value");
    const levelCount = Number(await level.locator(".count").innerText());
    await level.locator('input[type="checkbox"]').check();
    const levelShown = await table.locator("tbody tr:not([hidden])").count();
    if (levelShown !== levelCount) problems.push(`level ${levelValue}: ${levelShown} rows shown, the sidebar said ${levelCount}`);
    const levelStrays = await table.locator("tbody tr:not([hidden])").evaluateAll((rows, v) => rows.filter((r) => !r.querySelector(`a[href$="/_by/level/${v}/"]`)).length, levelValue);
    if (levelStrays) problems.push(`${levelStrays} rows shown without level ${levelValue}`);
    if (new URL(page.url()).searchParams.get("level") !== levelValue) problems.push("the address does not keep the level filter");
    await page.locator(".facet-sidebar button.clear").click();
    return problems;
  });

  // The search box: `/` focuses it, typing shows ranked results from the
  // client index, arrows move, Enter opens the result at its anchor.
  await visit("home-for-search", home, { shot: false });
  await step("search box", async () => {
    const problems = [];
    await page.locator("main").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("/");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== "search-q") problems.push(`"/" focused ${focused || "nothing"}, not the search box`);
    await page.locator("#search-q").pressSequentially("refund");
    const options = page.locator("#search-results [role=option]");
    await options.first().waitFor({ state: "visible", timeout: 5000 });
    const titles = await options.allInnerTexts();
    if (!titles.length || !/refund/i.test(titles[0])) {
      problems.push(`the first result for "refund" is ${JSON.stringify(titles[0])}`);
    }
    const expanded = await page.locator("#search-q").getAttribute("aria-expanded");
    if (expanded !== "true") problems.push(`aria-expanded is ${expanded} while results show`);
    await page.keyboard.press("ArrowDown");
    const active = await page.locator("#search-q").getAttribute("aria-activedescendant");
    if (!active) problems.push("ArrowDown left no active option");
    const href = await page.locator(`#${active}`).getAttribute("href");
    await screenshot(page, "example-search");
    await Promise.all([page.waitForURL((u) => u.href.endsWith(href.split("/").pop()), { timeout: 5000 }), page.keyboard.press("Enter")]);
    const anchor = decodeURIComponent(new URL(page.url()).hash.slice(1));
    if (anchor && !(await page.evaluate((id) => !!document.getElementById(id), anchor))) {
      problems.push(`the result ${page.url()} has no element #${anchor}`);
    }
    // Typos are forgiven, and nothing found says so.
    await page.goto(home);
    await page.locator("#search-q").fill("payemnts");
    await options.first().waitFor({ state: "visible", timeout: 5000 });
    await page.locator("#search-q").fill("zzzqqqxxx");
    await page.locator(".search-status", { hasText: "Nothing found" }).waitFor({ timeout: 5000 });
    await page.keyboard.press("Escape");
    if ((await page.locator("#search-q").getAttribute("aria-expanded")) === "true") problems.push("Escape left the results open");
    return problems;
  });

  const kinds = Object.keys(catalog.summary.byKind);
  for (const kind of ["Component", "API", "System", "Domain", "Group", "User", "Resource"]) {
    if (!kinds.includes(kind)) {
      report(site, `entity-${kind.toLowerCase()}`, [`the example catalog has no ${kind}, so its page type is not tested`]);
    }
  }
  // The entity of each kind whose page shows the most: documented
  // components and fully described APIs first, then the most relations.
  const richness = (e) =>
    (e.metadata.annotations?.["backstage.io/techdocs-ref"] ? 1000 : 0) +
    (e.api?.bundle ? 100 + (e.api.operations || 0) + (e.api.schemas || 0) : 0) +
    // The operability card with SLOs (and their tables) gets audited too.
    (e.operability?.slos?.length ? 50 : 0) +
    e.relations.length;
  const entityPages = {};
  await page.goto(explorerUrl);
  const kindNav = page.getByRole("navigation", { name: "Filter by kind" });
  let firstKind = true;
  for (const kind of kinds) {
    let kindUrl;
    try {
      kindUrl = await linkHref(kindNav.getByRole("link", { name: new RegExp(`^${kind} \\(`) }), `${kind} in the explorer's kind filter`);
    } catch (error) {
      report(site, `explorer ${kind}`, [error.message]);
      continue;
    }
    // Every kind page is checked; one is kept as a screenshot.
    await visit(`explorer-${kind.toLowerCase()}`, kindUrl, { shot: firstKind });
    firstKind = false;
    const candidates = entities.filter((e) => e.kind === kind).sort((a, b) => richness(b) - richness(a));
    const chosen = candidates[0];
    // Find its row, through the table's pages if it has several.
    const suffix = `/${encodeURIComponent(chosen.namespace)}/${encodeURIComponent(chosen.name)}/`.toLowerCase();
    let url = null;
    const tablePages = [kindUrl, ...(await page.locator('nav[aria-label="Pages of this table"] a').evaluateAll((as) => as.map((a) => a.href)))];
    for (const tablePage of tablePages) {
      if (page.url() !== tablePage) await page.goto(tablePage);
      const hrefs = await page.locator("#entities tbody tr td:first-child a").evaluateAll((as) => as.map((a) => a.href));
      url = hrefs.find((h) => new URL(h).pathname.toLowerCase().endsWith(suffix)) || null;
      if (url) break;
    }
    if (!url) {
      report(site, `entity-${kind.toLowerCase()}`, [`${chosen.ref} is not listed on ${pathOf(kindUrl)}`]);
      continue;
    }
    entityPages[kind] = { entity: chosen, url };
  }
  for (const [kind, { entity, url }] of Object.entries(entityPages)) {
    await visit(`entity-${kind.toLowerCase()}`, url, {
      extra: async () => {
        const text = await page.locator("main").innerText();
        return text.includes(entity.ref) ? [] : [`the page does not show ${entity.ref}`];
      },
    });
  }

  // API reference: an OpenAPI overview, a tag page and a schema page; an
  // AsyncAPI overview (channels and messages).
  const referenceOf = async (entity) => {
    const entityUrl = entityPages.API && entityPages.API.entity === entity ? entityPages.API.url : null;
    if (entityUrl) {
      await page.goto(entityUrl);
    } else {
      // Any API's page is one click from the API explorer page.
      await page.goto(explorerUrl);
      const kindUrl = await linkHref(kindNav.getByRole("link", { name: /^API \(/ }), "API kind");
      await page.goto(kindUrl);
      const hrefs = await page.locator("#entities tbody tr td:first-child a").evaluateAll((as) => as.map((a) => a.href));
      const href = hrefs.find((h) => new URL(h).pathname.endsWith(`/${entity.namespace}/${entity.name}/`));
      if (!href) throw new Error(`${entity.ref} is not listed on the API explorer page`);
      await page.goto(href);
    }
    return linkHref(page.getByRole("link", { name: "Read the API reference" }), `API reference link of ${entity.ref}`);
  };
  const apis = entities.filter((e) => e.api?.bundle);
  const openapi = apis.filter((e) => e.api.format.startsWith("OpenAPI")).sort((a, b) => richness(b) - richness(a))[0];
  const asyncapi = apis.filter((e) => e.api.format.startsWith("AsyncAPI")).sort((a, b) => richness(b) - richness(a))[0];
  if (!openapi) report(site, "api-reference", ["the example catalog has no OpenAPI definition"]);
  if (!asyncapi) report(site, "api-reference-asyncapi", ["the example catalog has no AsyncAPI definition"]);
  if (openapi) {
    let referenceUrl;
    try {
      referenceUrl = await referenceOf(openapi);
    } catch (error) {
      report(site, "api-reference", [error.message]);
    }
    if (referenceUrl) {
      await visit("api-reference", referenceUrl);
      for (const [name, region] of [
        ["api-tag", "Operations"],
        ["api-schema", "Schemas"],
      ]) {
        await page.goto(referenceUrl);
        try {
          const url = await linkHref(page.getByRole("region", { name: region }).getByRole("link"), `${region} on the API reference`);
          await visit(name, url);
          if (name === "api-tag") await step("code samples: language switch and copy", () => checkSamples(url));
          if (name === "api-tag") await step("schemas in place, example selector, copy-link", () => checkReferenceControls(url));
        } catch (error) {
          report(site, name, [error.message]);
        }
      }
    }
  }
  if (asyncapi) {
    try {
      await visit("api-reference-asyncapi", await referenceOf(asyncapi));
    } catch (error) {
      report(site, "api-reference-asyncapi", [error.message]);
    }
  }

  // Docs: every page of the richest documented component (images included).
  const documented = entityPages.Component;
  if (!documented || !documented.entity.metadata.annotations?.["backstage.io/techdocs-ref"]) {
    report(site, "docs", ["no documented component to test docs pages with"]);
  } else {
    try {
      await page.goto(documented.url);
      const docsUrl = await linkHref(page.getByRole("link", { name: "Read the docs" }), `docs link of ${documented.entity.ref}`);
      await visit("docs", docsUrl);
      const docsPages = await page.locator("nav.docs-nav a[href]").evaluateAll((as) => as.map((a) => a.href));
      for (const url of [...new Set(docsPages)].filter((u) => u !== docsUrl)) {
        await visit(`docs ${pathOf(url).slice(pathOf(docsUrl).length).replace(/\/$/, "")}`, url, { shot: false });
      }
    } catch (error) {
      report(site, "docs", [error.message]);
    }
  }

  await visit("checks", checksUrl);

  // Scorecards: the list from the header, each scorecard's page (its
  // matrix has a row per entity catalog.json scores, every cell a word),
  // and a level badge an entity page links to.
  if (catalog.scorecards && catalog.scorecards.length) {
    await page.goto(home);
    const scorecardsUrl = await linkHref(page.locator("header").getByRole("link", { name: "Scorecards", exact: true }), "Scorecards in the header");
    await visit("scorecards", scorecardsUrl);
    for (const [index, card] of catalog.scorecards.entries()) {
      await page.goto(scorecardsUrl);
      const cardUrl = await linkHref(page.locator("main").getByRole("link", { name: card.name, exact: true }), `${card.name} on the scorecards page`);
      await visit(`scorecard-${card.id}`, cardUrl, {
        shot: index === 0,
        extra: async () => {
          const problems = [];
          const scored = entities.filter((e) => e.scorecards && e.scorecards[card.id]).length;
          const rows = await page.locator("table.matrix tbody tr").count();
          // The first page holds up to 500 rows.
          if (rows !== Math.min(scored, 500)) problems.push(`the matrix has ${rows} rows, catalog.json scores ${scored} entities`);
          const cells = await page.evaluate(() => [...document.querySelectorAll("table.matrix td.state")].map((td) => td.textContent.trim()));
          const words = new Set(["pass", "fail", "exempt", "pending", "n/a", "unknown"]);
          const odd = cells.filter((text) => !words.has(text));
          if (odd.length) problems.push(`matrix cells without a state word: ${JSON.stringify(odd.slice(0, 5))}`);
          return problems;
        },
      });
    }
    const card = catalog.scorecards[0];
    const entity = entities.find((e) => e.scorecards && e.scorecards[card.id]);
    await step("level badge", async () => {
      const problems = [];
      const url = `${home}catalog/${entity.kind.toLowerCase()}/${entity.namespace.toLowerCase()}/${entity.name.toLowerCase()}/`;
      await page.goto(url);
      const badgeUrl = await linkHref(page.locator("main").getByRole("link", { name: "Level badge (SVG)" }), `the level badge on ${url}`);
      const response = await fetch(badgeUrl);
      const type = response.headers.get("content-type") || "";
      const text = await response.text();
      if (response.status !== 200 || !type.startsWith("image/svg+xml")) problems.push(`${badgeUrl}: status ${response.status}, ${type}`);
      const level = entity.scorecards[card.id].level || "none";
      if (!text.includes(`>${level}</text>`)) problems.push(`${badgeUrl} does not say the level ${level}`);
      if (/<script|on[a-z]+=/i.test(text)) problems.push(`${badgeUrl} has script`);
      return problems;
    });
  }
  await visit("404", `${home}catalog/no-such-kind/default/no-such-entity/`, {
    status: 404,
    extra: async () => {
      // Its links must work from any depth: follow the one back home.
      const problems = [];
      const homeLink = page.locator("main").getByRole("link", { name: "home page" });
      if ((await homeLink.count()) === 0) return ["the 404 page has no link to the home page"];
      await Promise.all([page.waitForURL(home), homeLink.first().click()]);
      if (page.url() !== home) problems.push(`its home link led to ${page.url()}`);
      await page.goBack();
      return problems;
    },
  });

  const late = tab.leftovers();
  if (late.length) report(site, "after the last check", late);
  await context.close();

  await checkAccessibility(browser, site, visited);
  await checkPhoneLayout(browser, site, visited, ["home", "entity-component"]);
  await close();
}

// ---------------------------------------------------------------- accessibility

// What axe-core checks: the WCAG 2.1 success criteria at levels A and AA,
// and its best-practice rules (one <main>, heading order, landmarks holding
// all content…). A violation of any of them, of any impact, fails.
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
// The rules whose outcome depends on colours: all that the dark colour
// scheme can change, so all that is run again in it.
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

/** A violating element for the report: its selector and, for contrast, the colours. */
function describeNode(node) {
  const target = node.target.map((t) => (Array.isArray(t) ? t.join(" ") : t)).join(" ");
  const contrast = node.any.find((check) => check.id === "color-contrast")?.data;
  if (contrast?.contrastRatio) {
    return `${target} (${contrast.fgColor} on ${contrast.bgColor}: ${contrast.contrastRatio}:1, needs ${contrast.expectedContrastRatio})`;
  }
  return target;
}

/**
 * axe-core in every page, light and then dark (contrast must hold in both).
 *
 * A context of its own, so that axe's script does not trip the main pass's
 * watch for scripts the theme did not ship. It does not bypass the pages'
 * Content-Security-Policy: axe is evaluated through the DevTools protocol,
 * which the policy does not govern, so the pages are audited as served.
 */
async function checkAccessibility(browser, site, pages) {
  const started = Date.now();
  const axeSource = await readFile(AXE_SCRIPT, "utf8");
  const { version } = JSON.parse(await readFile(path.join(path.dirname(AXE_SCRIPT), "package.json"), "utf8"));
  console.log(`\naccessibility (axe-core ${version}: ${WCAG_TAGS.join(", ")}; light and dark)`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  for (const { name, url } of pages) {
    const where = new URL(url).pathname;
    const problems = [];
    const warnings = [];
    let detail = where;
    try {
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(url, { waitUntil: "load" });
      await page.evaluate(axeSource);
      // One entry per rule and set of elements, with the schemes it fails in.
      const found = new Map();
      let review = 0;
      for (const [scheme, runOnly] of [
        ["light", { type: "tag", values: [...WCAG_TAGS, "best-practice"] }],
        ["dark", { type: "rule", values: COLOUR_RULES }],
      ]) {
        await page.emulateMedia({ colorScheme: scheme });
        const result = await page.evaluate((only) => window.axe.run(document, { runOnly: only, resultTypes: ["violations"] }), runOnly);
        review = Math.max(review, result.incomplete.length);
        for (const violation of result.violations) {
          const nodes = violation.nodes.map(describeNode);
          const key = `${violation.id}\n${violation.nodes.map((n) => n.target.join(" ")).join("\n")}`;
          const seen = found.get(key);
          if (seen) {
            seen.schemes.push(scheme);
            // Colours differ between the schemes; keep both.
            if (nodes.join() !== seen.nodes.join()) seen.nodes = seen.nodes.map((n, i) => `${n}; in dark: ${nodes[i]}`);
          } else {
            found.set(key, { violation, nodes, schemes: [scheme] });
          }
        }
      }
      for (const { violation, nodes, schemes } of found.values()) {
        const shown = nodes.slice(0, 3).join(", ") + (nodes.length > 3 ? `, and ${nodes.length - 3} more` : "");
        const wcag = violation.tags.some((tag) => WCAG_TAGS.includes(tag));
        const text = `${where} [${schemes.join("+")}] ${violation.id} (${violation.impact}${wcag ? "" : ", best practice"}): ${violation.help}: ${shown}`;
        // Zero violations of any impact, best practices included.
        problems.push(text);
      }
      if (review) detail += ` (axe left ${review} rule${review === 1 ? "" : "s"} to review by eye)`;
    } catch (error) {
      problems.push(`${where}: ${error.message.split("\n")[0]}`);
    }
    report(site, `axe ${name}`, problems, detail, warnings);
  }
  await context.close();
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

// ---------------------------------------------------------------- phone

/**
 * Every page at a phone's viewport: laid out at the device width (the
 * viewport meta tag) and no wider, so the page never scrolls sideways. A wide
 * table or code block may scroll inside its own box; only the page is
 * measured. `shots` names the pages kept as screenshots.
 */
async function checkPhoneLayout(browser, site, pages, shots) {
  const started = Date.now();
  const viewport = { width: 375, height: 740 };
  console.log(`\nphone layout (${viewport.width}×${viewport.height})`);
  // A phone, not a narrow desktop window: the viewport meta tag applies. Such
  // a browser zooms out to fit a page that is too wide, so innerWidth grows
  // with the page; the screen's width is the measure instead.
  const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, colorScheme: "light" });
  const page = await context.newPage();
  for (const { name, url } of pages) {
    const where = new URL(url).pathname;
    const problems = [];
    let detail = where;
    try {
      await page.goto(url, { waitUntil: "load" });
      const layout = await page.evaluate((width) => {
        const describe = (el) => {
          const parts = [];
          for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
            let part = e.localName;
            if (e.id) part += `#${e.id}`;
            else if (typeof e.className === "string" && e.className.trim()) part += `.${e.className.trim().split(/\s+/).join(".")}`;
            parts.unshift(part);
          }
          const text = (el.textContent || "").trim().replace(/\s+/g, " ");
          return `${parts.join(" > ")}${text ? ` ("${text.slice(0, 40)}${text.length > 40 ? "…" : ""}")` : ""}`;
        };
        // Whether something between `el` and the page scrolls or clips it.
        const contained = (el) => {
          for (let e = el.parentElement; e && e !== document.body && e !== document.documentElement; e = e.parentElement) {
            if (getComputedStyle(e).overflowX !== "visible") return true;
          }
          return false;
        };
        // How far right an element reaches, its own overflowing content included.
        const reach = (el) => {
          const box = el.getBoundingClientRect();
          const overflowing = getComputedStyle(el).overflowX === "visible" ? el.scrollWidth - el.clientWidth : 0;
          return box.right + Math.max(0, overflowing) + scrollX;
        };
        // Where the width comes from: an element reaching past the screen
        // whose own box is wider than its parent leaves it room (a long word
        // in a grid or flex item, a wide image), or whose content spills out
        // of its box. Everything around or after it is merely pushed along.
        const wide = (el) => el.getClientRects().length && reach(el) > width + 1 && !contained(el);
        const sticksOut = (el) => {
          const style = getComputedStyle(el);
          // (Content that spills out because a child does is the child's doing.)
          if (style.overflowX === "visible" && el.scrollWidth > el.clientWidth + 1 && ![...el.children].some(wide)) {
            return "its content spills out";
          }
          const parent = el.parentElement;
          const parentStyle = getComputedStyle(parent);
          const room = parent.getBoundingClientRect().left + parent.clientLeft + parent.clientWidth - parseFloat(parentStyle.paddingRight);
          if (el.getBoundingClientRect().right > room + 1) {
            const layout = ["grid", "inline-grid", "flex", "inline-flex"].includes(parentStyle.display) ? `${parentStyle.display} ` : "";
            return `wider than its ${layout}parent`;
          }
          return null;
        };
        const culprits = [];
        for (const el of document.body.querySelectorAll("*")) {
          if (!wide(el)) continue;
          const why = sticksOut(el);
          if (why) culprits.push(`${describe(el)} reaches ${Math.round(reach(el))}px, ${why}`);
        }
        return {
          layoutWidth: document.documentElement.clientWidth,
          scrollWidth: document.documentElement.scrollWidth,
          culprits,
        };
      }, viewport.width);
      detail += ` (${layout.scrollWidth}px wide)`;
      if (layout.layoutWidth !== viewport.width) {
        problems.push(`${where}: laid out ${layout.layoutWidth}px wide on a ${viewport.width}px screen (is <meta name="viewport" content="width=device-width"> missing?)`);
      }
      if (layout.scrollWidth > viewport.width + 1) {
        const shown = layout.culprits.slice(0, 4).join("; ") + (layout.culprits.length > 4 ? `; and ${layout.culprits.length - 4} more` : "");
        problems.push(`${where}: the page is ${layout.scrollWidth}px wide on a ${viewport.width}px screen and scrolls sideways: ${shown || "(no single element found)"}`);
      }
      if (shots.includes(name)) await screenshot(page, `example-phone-${name}`);
    } catch (error) {
      problems.push(`${where}: ${error.message.split("\n")[0]}`);
    }
    report(site, `phone ${name}`, problems, detail);
  }
  await context.close();
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

// ---------------------------------------------------------------- xss

/** Every `*.html` file under `dir`, as paths relative to it with `/`. */
async function htmlFiles(dir, prefix = "") {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await htmlFiles(path.join(dir, entry.name), rel)));
    else if (entry.name.endsWith(".html")) out.push(rel);
  }
  return out.sort();
}

// ---------------------------------------------------------------- a big API

// The page-weight bars of a site: the theme's CSS and JavaScript together,
// gzipped, and the largest HTML page, uncompressed.
const THEME_BUDGET_GZIP = 40 * 1024;
const PAGE_BUDGET = 400 * 1024;

/**
 * A site holding one big API (Stripe's in the test): its reference pages
 * (the overview, the heaviest operations page, a schema page) load clean,
 * pass axe, and keep within the page-weight bars.
 */
async function checkReference(browser, dir, base) {
  const site = "reference";
  const { origin, close } = await serveSite(dir, base);
  console.log(`
reference site ${dir}, served at ${origin}${base}`);
  const html = (await htmlFiles(dir)).filter((f) => f.includes("/reference/"));
  const sized = await Promise.all(html.map(async (f) => ({ f, size: (await stat(path.join(dir, f))).size })));
  sized.sort((a, b) => b.size - a.size || a.f.localeCompare(b.f));
  const overview = sized.find((p) => /\/reference\/index\.html$/.test(p.f));
  const schema = sized.filter((p) => p.f.includes("/reference/schemas/")).pop();
  const heaviest = sized.find((p) => !p.f.includes("/reference/schemas/") && p !== overview);
  const pages = [
    ["reference-overview", overview],
    ["reference-operations", heaviest],
    ["reference-schema", schema],
  ].filter(([, p]) => p).map(([name, p]) => ({ name, url: `${origin}${base}${p.f.replace(/index\.html$/, "")}` }));
  if (pages.length !== 3) report(site, "reference pages", [`found ${pages.length} of overview, operations and schema pages`]);

  const { gzipSync } = await import("node:zlib");
  const assets = (await readdir(path.join(dir, "assets"))).filter((f) => f.endsWith(".css") || f.endsWith(".js")).sort();
  let gz = 0;
  for (const f of assets) gz += gzipSync(await readFile(path.join(dir, "assets", f)), { level: 9 }).length;
  const weight = [];
  if (gz > THEME_BUDGET_GZIP) weight.push(`the theme's CSS and JS are ${gz} bytes gzipped, over ${THEME_BUDGET_GZIP}`);
  if (sized[0] && sized[0].size > PAGE_BUDGET) weight.push(`${sized[0].f} is ${sized[0].size} bytes, over ${PAGE_BUDGET}`);
  report(site, "page weight", weight, `theme ${(gz / 1024).toFixed(1)} KB gzipped (${assets.join(", ")}); largest page ${(sized[0]?.size / 1024).toFixed(0)} KB (${sized[0]?.f})`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  const tab = await openPage(context, origin);
  for (const { name, url } of pages) {
    let problems = [];
    try {
      const response = await tab.page.goto(url, { waitUntil: "load" });
      await settle(tab.page);
      if (!response || response.status() !== 200) problems.push(`status ${response?.status()}`);
      problems.push(...(await auditDom(tab.page)));
      await screenshot(tab.page, `reference-${name}`);
    } catch (error) {
      problems.push(`could not load: ${error.message.split("\n")[0]}`);
    }
    report(site, name, [...tab.take(), ...problems], new URL(url).pathname);
  }
  await context.close();
  await checkAccessibility(browser, site, pages);
  await close();
}

// A catalog too big for one explorer page: sorting or filtering fetches the
// other pages, so the order and the matches are the whole table's.
async function checkPaged(browser, dir, base) {
  const site = "paged";
  const { origin, close } = await serveSite(dir, base);
  console.log(`\npaged explorer ${dir}, served at ${origin}${base}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tab = await openPage(context, origin);
  const { page } = tab;
  const catalog = JSON.parse(await readFile(path.join(dir, "catalog.json"), "utf8"));
  const components = catalog.entities.filter((e) => e.kind === "Component");
  const names = components.map((e) => e.metadata.title || e.metadata.name);
  const order = (a, b) => a.toLowerCase().localeCompare(b.toLowerCase(), undefined, { numeric: true });
  try {
    const url = `${origin}${base}catalog/component/`;
    await page.goto(url);
    await settle(page);
    const table = page.locator("#entities");
    const shownNames = () => table.locator("tbody tr:not([hidden]) td:first-child").allInnerTexts();
    let problems = [];
    const firstPage = await table.locator("tbody tr").count();
    if (firstPage >= components.length) problems.push(`the first page holds ${firstPage} of ${components.length} rows: not paged`);
    await table.locator('th[data-sort="name"] button').click();
    await table.locator('th[data-sort="name"] button').click();
    await page.waitForFunction((n) => document.querySelectorAll("#entities tbody tr").length === n, components.length, { timeout: 20000 }).catch(() => {});
    const descending = (await shownNames()).map((n) => n.trim());
    const expected = [...names].sort(order).reverse();
    if (descending.length !== expected.length) problems.push(`sorted, the table shows ${descending.length} rows, not all ${expected.length}`);
    else if (JSON.stringify(descending) !== JSON.stringify(expected)) problems.push(`sorted by name, descending, the rows start ${descending.slice(0, 3).join(", ")}, expected ${expected.slice(0, 3).join(", ")}`);
    if (await page.locator('nav[aria-label="Pages of this table"]').isVisible()) problems.push("the page links are still shown over the whole table");
    report(site, "sort across pages", problems, `${firstPage} rows on the first page, ${descending.length} after sorting`);

    // A facet's checkbox, once every row is in: the count is the whole table's.
    problems = [];
    const values = page.locator('.facet-sidebar section[data-facet="lifecycle"] li[data-value]');
    const first = values.first();
    const value = await first.getAttribute("data-value");
    const count = Number(await first.locator(".count").innerText());
    const wanted = components.filter((e) => e.spec.lifecycle === value).length;
    if (count !== wanted) problems.push(`the sidebar counts ${count} rows of lifecycle ${value}, the catalog has ${wanted}`);
    const box = first.locator('input[type="checkbox"]');
    if ((await box.count()) === 0) problems.push("the sidebar has no checkboxes once every row is in");
    else {
      await box.check();
      const shown = await table.locator("tbody tr:not([hidden])").count();
      if (shown !== wanted) problems.push(`lifecycle ${value}: ${shown} rows shown, ${wanted} in the catalog`);
    }
    // Reopened from its address on another page of the table, the view is the same.
    const address = new URL(page.url());
    await page.goto(`${origin}${await secondPageOf(page)}${address.search}`);
    await settle(page);
    await page.waitForFunction((n) => document.querySelectorAll("#entities tbody tr").length === n, components.length, { timeout: 20000 }).catch(() => {});
    const reopened = (await shownNames()).map((n) => n.trim());
    const filtered = expected.filter((n) => components.find((e) => (e.metadata.title || e.metadata.name) === n).spec.lifecycle === value);
    if (JSON.stringify(reopened) !== JSON.stringify(filtered)) problems.push(`reopened from ${address.search}, the table shows ${reopened.length} rows starting ${reopened.slice(0, 2).join(", ")}`);
    report(site, "facets across pages", problems, `lifecycle ${value}: ${wanted} rows`);
    report(site, "no errors or outside requests", tab.take());
  } finally {
    await context.close();
    await close();
  }
}

/** The path of the second page of the table shown (from its page links). */
async function secondPageOf(page) {
  const links = await page.locator('nav[aria-label="Pages of this table"] a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
  return links[1] || "/";
}

async function checkXss(browser, dir, base) {
  const site = "xss";
  const { origin, close } = await serveSite(dir, base);
  console.log(`\nXSS fixture ${dir}, served at ${origin}${base}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Before any script of the page: every way to open a dialog (or a window)
  // records the call instead, in this frame and in any frame it makes.
  await context.addInitScript(() => {
    const calls = [];
    Object.defineProperty(window, "__xss", { value: calls });
    for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
      window[name] = (...args) => {
        calls.push(`${name}(${args.map((a) => JSON.stringify(String(a))).join(", ")})`);
        return null;
      };
    }
  });
  const tab = await openPage(context, origin);
  const { page } = tab;

  const files = await htmlFiles(dir);
  for (const file of files) {
    const late = tab.leftovers();
    const urlPath = `${base}${file.replace(/(^|\/)index\.html$/, "$1")}`;
    const url = `${origin}${urlPath.split("/").map(encodeURIComponent).join("/")}`;
    const problems = [];
    try {
      const response = await page.goto(url, { waitUntil: "load" });
      await settle(page);
      if (!response || response.status() !== 200) problems.push(`status ${response?.status()}`);
      // Hover and focus everything once: handlers that need a reader's
      // gesture would fire now.
      await page.evaluate(() => {
        for (const el of document.querySelectorAll("body *")) {
          for (const type of ["mouseover", "focus", "toggle"]) el.dispatchEvent(new Event(type));
        }
      });
      const calls = await page.evaluate(() => window.__xss.slice());
      for (const call of calls) problems.push(`script ran: ${call}`);
      problems.push(...(await auditDom(page)));
      await screenshot(page, `xss-${file.replace(/\.html$/, "")}`);
    } catch (error) {
      problems.push(`could not load: ${error.message.split("\n")[0]}`);
    }
    report(site, file, [...late, ...tab.take(), ...problems], urlPath);
  }
  if (files.length === 0) report(site, "pages", [`no HTML page under ${dir}`]);
  const late = tab.leftovers();
  if (late.length) report(site, "after the last page", late);

  await context.close();
  await close();
}

// ---------------------------------------------------------------- main

function usage(message) {
  console.error(`${message}\nusage: node run.mjs (example|xss) SITE_DIR BASE_PATH [(example|xss) SITE_DIR BASE_PATH]...`);
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.length % 3 !== 0) usage("expected triples of MODE SITE_DIR BASE_PATH");
  const sites = [];
  for (let i = 0; i < args.length; i += 3) {
    const [mode, dir, base] = args.slice(i, i + 3);
    if (!["example", "xss", "reference", "paged"].includes(mode)) usage(`unknown mode ${mode}`);
    if (!existsSync(path.join(dir, "index.html"))) usage(`${dir} holds no built site (no index.html)`);
    if (!base.startsWith("/") || !base.endsWith("/")) usage(`the base path must start and end with /: ${base}`);
    sites.push({ mode, dir: path.resolve(dir), base });
  }
  if (!AXE_SCRIPT) {
    console.error(`axe-core is not installed: run \`npm ci\` in ${path.relative(process.cwd(), here) || "."}`);
    process.exit(2);
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} does not exist: install Debian's chromium (apt-get install chromium) or set PORTOLAN_CHROMIUM`);
    process.exit(2);
  }
  await mkdir(SCREENSHOTS, { recursive: true });

  const started = Date.now();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  console.log(`Chromium ${browser.version()} (${CHROMIUM})`);
  try {
    for (const { mode, dir, base } of sites) {
      const siteStarted = Date.now();
      if (mode === "example") await checkExample(browser, dir, base);
      else if (mode === "reference") await checkReference(browser, dir, base);
      else if (mode === "paged") await checkPaged(browser, dir, base);
      else await checkXss(browser, dir, base);
      console.log(`  (${((Date.now() - siteStarted) / 1000).toFixed(1)}s)`);
    }
  } finally {
    await browser.close();
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const warned = warningCount ? `, ${warningCount} warning${warningCount === 1 ? "" : "s"} (not failures)` : "";
  console.log(`\n${checks} checks in ${seconds}s${warned}; screenshots in ${path.relative(process.cwd(), SCREENSHOTS) || "."}`);
  if (failures.length) {
    console.log(`\n${failures.length} failure${failures.length === 1 ? "" : "s"}:`);
    for (const failure of failures) console.log(`  ${failure}`);
    process.exit(1);
  }
  console.log("all passed");
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
