// Hostile SVGs in headless Chromium (issue 17, finding 5): every fixture of
// tests/browser/fixtures/svg runs script when opened as it is (so this test
// can fail), and no SVG a portolan build published from them does.
//
//   node tests/browser/svg.mjs RAW_DIR SITE_DIR
//
// Each file is served over HTTP as image/svg+xml with no
// Content-Security-Policy (as a static host or an older `serve` would),
// opened on its own URL, and clicked in its middle (for links). A fixture
// "ran" when it opened a dialog whose message starts with `xss:`. Every page
// of SITE_DIR under a `docs/` folder is opened too, with the same trap.
//
// Exit status: 0 all checks passed, 1 some failed (each is listed), 2 usage
// or setup error.

import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.mjs";

const [rawDir, siteDir] = process.argv.slice(2);
if (!rawDir || !siteDir) {
  console.error("usage: node tests/browser/svg.mjs RAW_DIR SITE_DIR");
  process.exit(2);
}

const TYPES = { ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8" };

/** Files under `dir` (relative paths, sorted) for which `keep` holds. */
async function files(dir, keep) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .filter(keep)
    .sort();
}

/** Serve `dir` on a loopback port; the URL of its root. */
async function serve(dir) {
  const server = createServer(async (request, response) => {
    const relative = decodeURIComponent(new URL(request.url, "http://x").pathname).slice(1);
    const file = path.join(dir, relative.endsWith("/") || relative === "" ? `${relative}index.html` : relative);
    if (!file.startsWith(path.resolve(dir))) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** The `xss:` dialogs a page opened at `url`, clicked in its middle. */
async function scriptRun(context, url) {
  const page = await context.newPage();
  const ran = [];
  page.on("dialog", async (dialog) => {
    ran.push(dialog.message());
    await dialog.dismiss().catch(() => {});
  });
  try {
    await page.goto(url, { waitUntil: "load", timeout: 10_000 });
    await page.mouse.click(20, 20).catch(() => {});
    // A javascript: link or an animation runs after the click or the
    // document's first frames.
    await page.waitForTimeout(300);
  } catch (error) {
    ran.push(`(navigation failed: ${error.message.split("\n")[0]})`);
  }
  await page.close();
  return ran.filter((m) => m.startsWith("xss:") || m.startsWith("("));
}

const failures = [];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const raw = await serve(path.resolve(rawDir));
const site = await serve(path.resolve(siteDir));
try {
  const context = await browser.newContext();
  const fixtures = await files(rawDir, (f) => f.endsWith(".svg"));
  if (fixtures.length === 0) failures.push(`no SVG fixtures in ${rawDir}`);
  for (const name of fixtures) {
    const ran = await scriptRun(context, raw.url + name);
    const ok = ran.some((m) => m.startsWith("xss:"));
    console.log(`raw ${name}: ${ok ? "runs script, as expected" : "ran nothing"}`);
    if (!ok) {
      failures.push(`${name} opened as it is ran no script: the fixture proves nothing`);
    }
  }
  const published = await files(
    siteDir,
    (f) => f.endsWith(".svg") || (f.includes(`docs${path.sep}`) && f.endsWith(".html")),
  );
  if (!published.some((f) => f.endsWith(".svg"))) {
    failures.push("the site published no SVG at all: the benign one should be there");
  }
  for (const file of published) {
    const ran = await scriptRun(context, site.url + file.split(path.sep).join("/"));
    console.log(`published ${file}: ${ran.length ? ran.join(", ") : "no script"}`);
    if (ran.length) failures.push(`published ${file} ran: ${ran.join(", ")}`);
  }
} finally {
  await browser.close();
  raw.server.close();
  site.server.close();
}

if (failures.length) {
  console.log(`\n${failures.length} failure(s):`);
  for (const failure of failures) console.log(`  - ${failure}`);
  process.exit(1);
}
console.log("\nsvg: every fixture runs script raw; nothing published runs any");
