// The client-side search index, queried with the browser's own ranking code
// (themes/default/assets/search.js, loaded here without a DOM).
//
//   node tests/search/relevance.mjs DIR            the relevance table
//   node tests/search/relevance.mjs DIR --bytes    bytes downloaded per query
//   node tests/search/relevance.mjs --list         the queries to ask the server
//
// DIR holds a client index (DIR/_search/manifest.json, or DIR/manifest.json):
// `portolan-search`'s client_index_files written out, or a built site.
//
// The relevance table is the one the tantivy index is tested with: the
// `CASES` of crates/portolan-search/tests/relevance.rs, read from that file so
// the two sides cannot drift apart. Each row must find its expected result
// within the same number of places. When DIR/server.json is there (the Rust
// test crates/portolan-search/tests/client.rs writes it: the server side's
// answers to the queries `--list` prints, and its tokenizer's output on every
// text of the example), the script also checks that it splits text and parses
// queries exactly as the server does, that filters let the same documents
// through, and that the first result is the server's.
//
// For every query it prints the bytes a browser with an empty cache downloads
// before showing results (manifest, term shards, postings, facet buckets and
// the metadata of the results shown), and for typing the query one key at a
// time.

import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const search = createRequire(import.meta.url)(path.join(repoRoot, "themes/default/assets/search.js"));

/** Results the search box shows. */
const SHOWN = 10;

// ------------------------------------------------------------ the table

/** The string literals, numbers and punctuation of Rust source. */
function rustTokens(source) {
  const out = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === '"') {
      let text = "";
      i++;
      while (source[i] !== '"') {
        if (source[i] === "\\") {
          const e = source[i + 1];
          const escapes = { n: "\n", t: "\t", r: "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'" };
          if (e in escapes) {
            text += escapes[e];
            i += 2;
          } else if (e === "u") {
            const end = source.indexOf("}", i);
            text += String.fromCodePoint(parseInt(source.slice(i + 3, end), 16));
            i = end + 1;
          } else {
            throw new Error(`unsupported escape \\${e} in relevance.rs`);
          }
        } else {
          text += source[i++];
        }
      }
      i++;
      out.push({ string: text });
    } else if (/[0-9]/.test(c)) {
      let n = "";
      while (/[0-9_]/.test(source[i])) n += source[i++];
      out.push({ number: Number(n.replace(/_/g, "")) });
    } else if (/[A-Za-z_]/.test(c)) {
      let word = "";
      while (/[A-Za-z0-9_]/.test(source[i])) word += source[i++];
      out.push({ word });
    } else {
      if (!/\s/.test(c)) out.push({ punct: c });
      i++;
    }
  }
  return out;
}

/** The rows of `CASES` in relevance.rs: {what, query, within, kind, title}. */
function relevanceCases() {
  const file = path.join(repoRoot, "crates/portolan-search/tests/relevance.rs");
  const tokens = rustTokens(readFileSync(file, "utf8"));
  const start = tokens.findIndex((t, i) => t.word === "CASES" && tokens[i + 1]?.punct === ":");
  if (start < 0) throw new Error(`no CASES table in ${file}`);
  const cases = [];
  let i = start;
  while (i < tokens.length && !(tokens[i].punct === ";")) {
    if (tokens[i].word === "case" && tokens[i + 1]?.punct === "(") {
      const args = [];
      i += 2;
      while (tokens[i].punct !== ")") {
        if ("string" in tokens[i]) args.push(tokens[i].string);
        else if ("number" in tokens[i]) args.push(tokens[i].number);
        i++;
      }
      const [what, query, within, kind, title] = args;
      if (args.length !== 5 || typeof within !== "number") throw new Error(`cannot read case(${args.join(", ")})`);
      cases.push({ what, query, within, kind, title });
    }
    i++;
  }
  if (cases.length < 10) throw new Error(`read only ${cases.length} cases from ${file}`);
  return cases;
}

/** Score differences allowed: weights are stored in tenths, one rounding per term. */
const TIE = 0.15;
const MAX_DRIFT = 0.5;

/**
 * Where the browser knowingly scores differently, and why: it looks for
 * typos only among the words sharing the first two characters (one shard).
 */
const KNOWN_DRIFT = {
  akumar: "`kumar` (in the title) is `akumar` with its first letter deleted, a typo the browser does not look for",
};

/** Queries whose results must be the server's as a set (filters only). */
const SET_QUERIES = [
  "kind:api owner:payments-team",
  "owner:payments-team",
  "owner:group:payments-team",
  "owner:default/payments-team",
  "kind:operation",
  "lifecycle:deprecated",
  "api:orders-api",
  "api:api:orders-api",
  "system:payment-processing tag:pci-dss",
  "type:service lifecycle:production",
];

/** More ranked queries to compare with the server: what people type as they type. */
const MORE_QUERIES = [
  "pay", "paym", "ord", "ref", "refu", "gate", "pci-dss", "kind:nothing refund",
  "team", "webhooks", "cancel", "kind:operation create", "lifecycle:production service",
  "GET /orders/{orderId}", "payments api", "product", "catalog", "Payments gateway",
];

function queryList() {
  const list = relevanceCases().map((c) => ({ query: c.query, limit: SHOWN }));
  for (const query of MORE_QUERIES) list.push({ query, limit: SHOWN });
  for (const query of SET_QUERIES) list.push({ query, limit: 1000 });
  const seen = new Set();
  return list.filter((q) => !seen.has(q.query) && seen.add(q.query));
}

// ------------------------------------------------------------ the index

function indexDir(dir) {
  const nested = path.join(dir, "_search");
  return existsSync(path.join(nested, "manifest.json")) ? nested : dir;
}

/** An engine over the files in `dir`, counting what it loads. */
function engine(dir) {
  const loaded = { files: 0, bytes: 0 };
  const e = search.createEngine((file) => {
    const bytes = readFileSync(path.join(dir, file));
    loaded.files += 1;
    loaded.bytes += bytes.length;
    return bytes.toString("utf8");
  });
  return { engine: e, loaded };
}

/** Bytes for the query from an empty cache, and for typing it key by key. */
async function cost(dir, query) {
  const cold = engine(dir);
  const hits = await cold.engine.search(query, SHOWN);
  const typed = engine(dir);
  const started = performance.now();
  for (let n = 1; n <= query.length; n++) {
    if (query[n - 1] !== " ") await typed.engine.search(query.slice(0, n), SHOWN);
  }
  const typingMs = performance.now() - started;
  return { hits, cold: cold.loaded, typed: typed.loaded, typingMs };
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function pad(text, width) {
  text = String(text);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

// ------------------------------------------------------------ checks

const failures = [];

function checkTokens(server) {
  let checked = 0;
  for (const [text, expected] of server.tokens) {
    const actual = search.tokens(text);
    checked += 1;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      failures.push(`tokens of ${JSON.stringify(text.slice(0, 80))}: server ${JSON.stringify(expected)}, browser ${JSON.stringify(actual)}`);
    }
  }
  for (const [query, answer] of Object.entries(server.answers)) {
    const q = search.parseQuery(query);
    const actual = { text: q.text, runs: q.runs.map((r) => [r.whole, r.parts]), filters: q.filters };
    if (JSON.stringify(actual) !== JSON.stringify(answer.parsed)) {
      failures.push(`parse of ${JSON.stringify(query)}: server ${JSON.stringify(answer.parsed)}, browser ${JSON.stringify(actual)}`);
    }
  }
  console.log(`tokenizer and query parser: ${checked} texts and ${Object.keys(server.answers).length} queries split as the server splits them`);
}

async function relevance(dir, server) {
  const cases = relevanceCases();
  console.log(`\nrelevance: ${cases.length} cases from crates/portolan-search/tests/relevance.rs, against ${dir}\n`);
  console.log(`${pad("what", 30)} ${pad("query", 36)} ${pad("expected", 44)} ${pad("browser", 8)} ${pad("server", 7)} ${pad("cold", 9)} ${pad("typed", 9)}`);
  const totals = { cold: [], typed: [] };
  for (const c of cases) {
    const { hits, cold, typed } = await cost(dir, c.query);
    const rank = hits.findIndex((h) => h.kind === c.kind && h.title === c.title) + 1;
    const ok = rank > 0 && rank <= c.within;
    let serverRank = "";
    const answer = server?.answers[c.query];
    if (answer) serverRank = answer.hits.findIndex((h) => h.kind === c.kind && h.title === c.title) + 1 || "-";
    totals.cold.push(cold.bytes);
    totals.typed.push(typed.bytes);
    console.log(
      `${ok ? "ok  " : "FAIL"} ${pad(c.what, 25)} ${pad(c.query, 36)} ${pad(`${c.kind} ${c.title}`, 44)} ${pad(rank ? `${rank}/${c.within}` : "-", 8)} ${pad(serverRank, 7)} ${pad(kb(cold.bytes), 9)} ${pad(kb(typed.bytes), 9)}`,
    );
    if (!ok) {
      const got = hits.slice(0, 5).map((h, i) => `\n    ${i + 1}. ${h.score.toFixed(2)} ${h.kind} ${JSON.stringify(h.title)} (${h.url})`).join("");
      failures.push(`${c.what}: \`${c.query}\` should find ${c.kind} ${JSON.stringify(c.title)} within the first ${c.within}; got${got}`);
    }
  }
  const max = (xs) => Math.max(...xs);
  console.log(`\nbytes from an empty cache: at most ${kb(max(totals.cold))}; typing key by key: at most ${kb(max(totals.typed))}`);
}

/** The server's answers, compared: the same first result; for filters, the same documents. */
async function consistency(dir, server) {
  const e = engine(dir).engine;
  let maxDrift = 0;
  let ranked = 0;
  console.log("\nagainst the server (tantivy):");
  for (const { query, limit } of queryList()) {
    const answer = server.answers[query];
    if (!answer) {
      failures.push(`server.json has no answer for ${JSON.stringify(query)}`);
      continue;
    }
    const hits = await e.search(query, limit);
    if (SET_QUERIES.includes(query)) {
      const mine = new Set(hits.map((h) => h.url));
      const theirs = new Set(answer.hits.map((h) => h.url));
      const same = mine.size === theirs.size && [...mine].every((u) => theirs.has(u));
      console.log(`  ${same ? "ok  " : "FAIL"} ${pad(query, 40)} ${hits.length} documents (server ${answer.hits.length})`);
      if (!same) failures.push(`\`${query}\` lets through ${mine.size} documents, the server ${theirs.size}`);
      continue;
    }
    const top = hits[0];
    const serverTop = answer.hits[0];
    // The same first result, or one the server scores the same (a tie
    // that the browser's rounding to tenths may order either way).
    const tie = top && serverTop && answer.hits.some((h) => h.url === top.url && Math.abs(h.score - serverTop.score) < TIE);
    const same = (!top && !serverTop) || (top && serverTop && (top.url === serverTop.url || tie));
    // Documents both list score the same, give or take the rounding.
    let drift = 0;
    for (const h of hits) {
      const s = answer.hits.find((x) => x.url === h.url);
      if (s) drift = Math.max(drift, Math.abs(s.score - h.score));
    }
    const overlap = hits.filter((h) => answer.hits.some((s) => s.url === h.url)).length;
    if (KNOWN_DRIFT[query] && drift > MAX_DRIFT) {
      console.log(`  known ${pad(query, 39)} scores ±${drift.toFixed(2)}: ${KNOWN_DRIFT[query]}`);
      drift = 0;
    }
    maxDrift = Math.max(maxDrift, drift);
    if (MORE_QUERIES.includes(query) || !same || drift > MAX_DRIFT) {
      console.log(
        `  ${same && drift <= MAX_DRIFT ? "ok  " : "FAIL"} ${pad(query, 40)} first: ${pad(top ? `${top.kind} ${top.title}` : "(none)", 44)} ${top ? top.score.toFixed(1) : ""}/${serverTop ? serverTop.score.toFixed(1) : ""}  top ${SHOWN} shared: ${overlap}/${Math.min(answer.hits.length, SHOWN)}, scores ±${drift.toFixed(2)}`,
      );
    }
    if (!same) {
      failures.push(`\`${query}\`: the browser's first result is ${top ? `${top.kind} ${JSON.stringify(top.title)}` : "nothing"}, the server's ${serverTop ? `${serverTop.kind} ${JSON.stringify(serverTop.title)}` : "nothing"}`);
    }
    if (drift > MAX_DRIFT) failures.push(`\`${query}\`: a document scores ${drift.toFixed(2)} apart from the server's score`);
    ranked += 1;
  }
  console.log(`  (${ranked} ranked queries in all, relevance table included: the same first result, scores at most ${maxDrift.toFixed(2)} apart${Object.keys(KNOWN_DRIFT).length ? ", but for the known differences" : ""})`);
}

async function bytes(dir) {
  const queries = [...relevanceCases().map((c) => c.query), ...MORE_QUERIES];
  console.log(`${pad("query", 40)} ${pad("results", 8)} ${pad("cold", 10)} ${pad("files", 6)} ${pad("typed", 10)} ${pad("files", 6)} ms typing`);
  const cold = [];
  for (const query of [...new Set(queries)]) {
    const c = await cost(dir, query);
    cold.push(c.cold.bytes);
    console.log(`${pad(query, 40)} ${pad(c.hits.length, 8)} ${pad(kb(c.cold.bytes), 10)} ${pad(c.cold.files, 6)} ${pad(kb(c.typed.bytes), 10)} ${pad(c.typed.files, 6)} ${c.typingMs.toFixed(1)}`);
  }
  cold.sort((a, b) => a - b);
  console.log(`cold bytes: median ${kb(cold[Math.floor(cold.length / 2)])}, max ${kb(cold[cold.length - 1])}`);
}

// ------------------------------------------------------------ main

const args = process.argv.slice(2);
if (args[0] === "--list") {
  process.stdout.write(JSON.stringify(queryList()));
} else if (args.length && existsSync(args[0])) {
  const dir = indexDir(args[0]);
  if (args[1] === "--bytes") {
    await bytes(dir);
  } else {
    const serverFile = path.join(args[0], "server.json");
    const server = existsSync(serverFile) ? JSON.parse(readFileSync(serverFile, "utf8")) : null;
    if (server) checkTokens(server);
    await relevance(dir, server);
    if (server) await consistency(dir, server);
    else console.log("\n(no server.json: not compared with the server)");
  }
  if (failures.length) {
    console.log(`\n${failures.length} failures:\n${failures.map((f) => `- ${f}`).join("\n")}`);
    process.exit(1);
  }
  console.log("\nall good");
} else {
  console.error("usage: node tests/search/relevance.mjs DIR [--bytes] | --list");
  process.exit(2);
}
