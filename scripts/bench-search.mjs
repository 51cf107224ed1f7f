// bench-search.mjs: what a reader's browser downloads and waits for, per
// query, with portolan's client index and with Pagefind's, on the same
// built site. Cold cache for every query (a fresh browser context).
//
//   node scripts/bench-search.mjs SITE_DIR [QUERY...]
//
// SITE_DIR is a `portolan build` output that also holds Pagefind's index in
// SITE_DIR/pagefind (see scripts/bench-search.sh). Needs playwright-core
// from tests/browser/node_modules and Debian's chromium.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../tests/browser/package.json"));
const { chromium } = require("playwright-core");

const [siteArg, ...args] = process.argv.slice(2);
const siteDir = siteArg && path.resolve(siteArg);
if (!siteDir) {
  console.error("usage: node scripts/bench-search.mjs SITE_DIR [QUERY...]");
  process.exit(2);
}
const queries = args.length
  ? args
  : ["refund", "payments api", "listRefunds", "kind:api owner:platform", "deploy", "checkout", "invoice", "user profile"];

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".pf_meta": "application/octet-stream" };
// A page without the portal's CSP for Pagefind (its search runs
// WebAssembly, which the portal's policy does not allow).
const pagefindPage = "<!doctype html><meta charset=utf-8><title>pagefind</title><body></body>";

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  if (url.pathname === "/__pagefind.html") {
    res.writeHead(200, { "Content-Type": "text/html" });
    return res.end(pagefindPage);
  }
  let file = path.join(siteDir, decodeURIComponent(url.pathname));
  if (file !== siteDir && !file.startsWith(siteDir + path.sep)) {
    res.writeHead(403);
    return res.end();
  }
  try {
    if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
    const body = await readFile(file);
    res.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream", "Content-Length": body.length });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.PORTOLAN_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Bytes of responses whose path starts with `prefix`, from now on. */
function meter(page, prefix) {
  let bytes = 0;
  let requests = 0;
  page.on("response", async (response) => {
    if (!new URL(response.url()).pathname.startsWith(prefix)) return;
    try {
      bytes += (await response.body()).length;
      requests += 1;
    } catch {
      // a redirect or aborted response has no body
    }
  });
  return () => ({ bytes, requests });
}

async function portolan(query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  const measured = meter(page, "/_search/");
  const input = page.locator("#search-q");
  await input.focus();
  const started = Date.now();
  await input.fill(query);
  await page.locator("#search-results [role=option], .search-status").first().waitFor({ timeout: 20000 });
  const ms = Date.now() - started;
  await page.waitForTimeout(200);
  const { bytes, requests } = measured();
  const hits = await page.locator("#search-results [role=option]").count();
  await context.close();
  return { bytes, requests, ms, hits };
}

async function pagefind(query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/__pagefind.html`);
  const measured = meter(page, "/pagefind/");
  const result = await page.evaluate(async (q) => {
    const started = performance.now();
    const pagefind = await import("/pagefind/pagefind.js");
    await pagefind.init();
    const search = await pagefind.search(q);
    // The ten results a list shows, with their titles and URLs.
    await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
    return { ms: performance.now() - started, hits: Math.min(10, search.results.length) };
  }, query);
  await page.waitForTimeout(200);
  const { bytes, requests } = measured();
  await context.close();
  return { bytes, requests, ms: Math.round(result.ms), hits: result.hits };
}

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
console.log("| query | portolan: bytes (requests) | portolan: ms to results | Pagefind: bytes (requests) | Pagefind: ms to results |");
console.log("|---|---:|---:|---:|---:|");
for (const query of queries) {
  const p = await portolan(query);
  const f = await pagefind(query);
  console.log(`| \`${query}\` | ${kb(p.bytes)} (${p.requests}) | ${p.ms} | ${kb(f.bytes)} (${f.requests}) | ${f.ms} |`);
}
await browser.close();
server.close();
