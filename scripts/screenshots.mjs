#!/usr/bin/env node
// The README's screenshots, from a built portal (examples/acme's):
//
//   portolan build --root examples/acme --out /tmp/acme-site
//   node scripts/screenshots.mjs /tmp/acme-site docs/screenshots
//
// Serves SITE_DIR on loopback and takes four viewport shots with Debian's
// Chromium (PORTOLAN_CHROMIUM to use another): home (light), an API
// reference page on a wide screen, an entity page in dark mode, and the
// reference at phone width. The browser test takes full-page shots of every
// page type into target/browser-screenshots/.

import { createServer } from "node:http";
import { readFile, stat, mkdir } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.resolve("tests/browser/package.json"));
const { chromium } = require("playwright-core");
const CHROMIUM = process.env.PORTOLAN_CHROMIUM || "/usr/bin/chromium";
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".json": "application/json" };

const SHOTS = [
  { file: "home.png", url: "/", width: 1400, height: 900, scheme: "light" },
  { file: "api-reference.png", url: "/catalog/api/default/catalog-api/reference/operations/", width: 1700, height: 1000, scheme: "light" },
  { file: "entity-dark.png", url: "/catalog/component/default/orders-service/", width: 1400, height: 900, scheme: "dark" },
  { file: "phone.png", url: "/catalog/api/default/catalog-api/reference/operations/", width: 390, height: 844, scheme: "light" },
];

async function main() {
  const [site, out] = process.argv.slice(2);
  if (!site || !out) {
    console.error("usage: node scripts/screenshots.mjs SITE_DIR OUT_DIR");
    process.exit(2);
  }
  const root = path.resolve(site);
  const server = createServer(async (req, res) => {
    let file = path.join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
    try {
      if (!file.startsWith(root)) throw new Error("outside");
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  await mkdir(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    for (const shot of SHOTS) {
      const page = await browser.newPage({ viewport: { width: shot.width, height: shot.height }, colorScheme: shot.scheme });
      const response = await page.goto(`${origin}${shot.url}`, { waitUntil: "load" });
      if (!response || response.status() !== 200) throw new Error(`${shot.url}: status ${response?.status()}`);
      await page.screenshot({ path: path.join(out, shot.file) });
      await page.close();
      console.log(`${path.join(out, shot.file)} (${shot.url}, ${shot.width}×${shot.height}, ${shot.scheme})`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
