// What both browser scripts (run.mjs, serve.mjs) launch Chromium with, and
// where they put screenshots.
//
// Environment: PORTOLAN_CHROMIUM (default /usr/bin/chromium, Debian's
// package), PORTOLAN_SCREENSHOTS (default target/browser-screenshots).

import path from "node:path";
import { fileURLToPath } from "node:url";

/** tests/browser, where the scripts and their node_modules are. */
export const browserDir = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(browserDir, "../..");
export const CHROMIUM = process.env.PORTOLAN_CHROMIUM || "/usr/bin/chromium";
export const SCREENSHOTS = path.resolve(
  process.env.PORTOLAN_SCREENSHOTS || path.join(repoRoot, "target/browser-screenshots"),
);

// Debian's chromium otherwise phones home (component updates, sync, field
// trials over QUIC); on a machine without internet those connections are
// refused and the noise hides real failures. Playwright's launch() already
// runs headless with a fresh temporary --user-data-dir (it refuses one in
// `args`), so every run starts from an empty profile.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
