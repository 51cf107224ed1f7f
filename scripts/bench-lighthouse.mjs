#!/usr/bin/env node
// Lighthouse scores (performance, accessibility, best practices, SEO) of
// every page type of a built portal, with Debian's Chromium.
//
//   node scripts/bench-lighthouse.mjs SITE_DIR [SITE_DIR...]
//
// Each SITE_DIR is a `portolan build` output served at `/`, gzipped as
// static hosts serve it, and audited as Lighthouse's default: a mid-range
// phone on a throttled connection. The pages are
// found in it: home, explorer, one entity of each kind, an API overview, its
// heaviest operations page, a schema page, a docs page, the checks page,
// search results and the 404 page. Lighthouse is not a dependency of the
// repository: install it outside, e.g.
//
//   npm install --prefix /work/bench-tools lighthouse@12
//   LIGHTHOUSE=/work/bench-tools/node_modules/.bin/lighthouse node scripts/bench-lighthouse.mjs site/
//
// Prints one line per page and exits 1 when any score is below 95 (the
// portal's bar), 2 on a usage or setup error.

import { createServer } from "node:http";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, readdir, stat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

const LIGHTHOUSE = process.env.LIGHTHOUSE || "/work/bench-tools/node_modules/.bin/lighthouse";
const CHROMIUM = process.env.PORTOLAN_CHROMIUM || "/usr/bin/chromium";
const BAR = 95;
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
};

function serve(root) {
  return new Promise((resolve) => {
    const server = createServer(async (req, res) => {
      const url = new URL(req.url, "http://x");
      let file = path.join(root, decodeURIComponent(url.pathname));
      if (!file.startsWith(root)) file = path.join(root, "404.html");
      try {
        if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
        const body = await readFile(file);
        const headers = { "content-type": TYPES[path.extname(file)] || "application/octet-stream" };
        // As every static host does (GitHub Pages, S3 behind a CDN, nginx).
        if (/\bgzip\b/.test(req.headers["accept-encoding"] || "")) {
          res.writeHead(200, { ...headers, "content-encoding": "gzip", vary: "accept-encoding" });
          res.end(gzipSync(body));
        } else {
          res.writeHead(200, headers);
          res.end(body);
        }
      } catch {
        res.writeHead(404, { "content-type": TYPES[".html"] });
        res.end(await readFile(path.join(root, "404.html")).catch(() => "not found"));
      }
    });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

async function htmlFiles(dir, prefix = "") {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await htmlFiles(path.join(dir, entry.name), rel)));
    else if (entry.name === "index.html") out.push(rel);
  }
  return out.sort();
}

/** The page of each type a site has: [name, path] pairs. */
async function pagesOf(root) {
  const files = await htmlFiles(root);
  const sizes = new Map(await Promise.all(files.map(async (f) => [f, (await stat(path.join(root, f))).size])));
  const url = (f) => `/${f.replace(/index\.html$/, "")}`;
  const first = (re) => files.find((f) => re.test(f));
  const heaviest = (re) => files.filter((f) => re.test(f)).sort((a, b) => sizes.get(b) - sizes.get(a))[0];
  const pages = [["home", "/"], ["explorer", "/catalog/"]];
  for (const kind of ["component", "api", "group", "system"]) {
    const f = first(new RegExp(`^catalog/${kind}/[^/]+/[^/]+/index\\.html$`));
    if (f) pages.push([kind, url(f)]);
  }
  const overview = first(/\/reference\/index\.html$/);
  if (overview) pages.push(["api-overview", url(overview)]);
  const operations = heaviest(/\/reference\/(?!schemas\/)[^/]+\/(\d+\/)?index\.html$/);
  if (operations) pages.push(["operations", url(operations)]);
  const schema = first(/\/reference\/schemas\/.+index\.html$/);
  if (schema) pages.push(["schema", url(schema)]);
  const docs = first(/^catalog\/[a-z]+\/[^/]+\/[^/]+\/docs\/index\.html$/);
  if (docs) pages.push(["docs", url(docs)]);
  // Lighthouse refuses a 404 status: the 404 page is audited at its own path.
  pages.push(["checks", "/checks/"], ["search", "/catalog/?q=api"], ["404", "/404.html"]);
  return pages;
}

function lighthouse(url, out) {
  const flags = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ];
  return new Promise((resolve, reject) => {
    execFile(
      LIGHTHOUSE,
      [url, "--quiet", `--chrome-flags=${flags.join(" ")}`, `--only-categories=${CATEGORIES.join(",")}`,
        "--output=json", `--output-path=${out}`],
      { env: { ...process.env, CHROME_PATH: CHROMIUM }, timeout: 180_000 },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

async function main() {
  const sites = process.argv.slice(2);
  if (!sites.length) {
    console.error("usage: node scripts/bench-lighthouse.mjs SITE_DIR [SITE_DIR...]");
    process.exit(2);
  }
  if (!existsSync(LIGHTHOUSE)) {
    console.error(`lighthouse is not at ${LIGHTHOUSE}: npm install --prefix DIR lighthouse@12 and set LIGHTHOUSE`);
    process.exit(2);
  }
  const work = await mkdtemp(path.join(tmpdir(), "portolan-lighthouse-"));
  let below = 0;
  console.log(`${"site".padEnd(12)} ${"page".padEnd(14)} perf  a11y  best  seo   path`);
  try {
    for (const site of sites) {
      const root = path.resolve(site);
      const server = await serve(root);
      const origin = `http://127.0.0.1:${server.address().port}`;
      for (const [name, where] of await pagesOf(root)) {
        const out = path.join(work, `${name}.json`);
        await lighthouse(`${origin}${where}`, out);
        const report = JSON.parse(await readFile(out, "utf8"));
        const scores = CATEGORIES.map((c) => Math.round((report.categories[c]?.score ?? 0) * 100));
        const failing = [];
        for (const c of CATEGORIES) {
          for (const ref of report.categories[c]?.auditRefs ?? []) {
            const audit = report.audits[ref.id];
            if (ref.weight > 0 && audit.score !== null && audit.score < 1) failing.push(`${ref.id} ${audit.displayValue || audit.score}`);
          }
        }
        if (scores.some((s) => s < BAR)) below += 1;
        console.log(
          `${path.basename(root).padEnd(12)} ${name.padEnd(14)} ${scores.map((s) => String(s).padEnd(5)).join(" ")} ${where}` +
            (failing.length ? `\n${" ".repeat(28)}not full marks: ${failing.join("; ")}` : ""),
        );
      }
      server.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (below) {
    console.log(`${below} page(s) below ${BAR} in some category`);
    process.exit(1);
  }
  console.log(`every page scores at least ${BAR} in all four categories`);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
