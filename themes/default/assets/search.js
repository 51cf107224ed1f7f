// portolan search: the search box in every page's header, answered in the
// browser from the client index under _search/ (written by portolan-search's
// `client` module; see there for the files). Progressive enhancement: without
// this script the box submits to the catalog explorer.
//
// Two halves. The engine (tokenizer, query parser, ranking) touches no DOM,
// so tests/search/relevance.mjs loads this file under Node and ranks with the
// very same code. The interface (`init`) runs only in a page.
//
// Ranking follows portolan-search's tantivy queries (index.rs) clause by
// clause: per query word, the BM25 of the word and (at half weight) of its
// camelCase parts, summed over fields with their boosts (precomputed per
// posting at build time); a constant per field for the last word's prefix
// matches and for matches with one typo (words of five or more characters);
// a bonus for documents having every word, for a query that is a document's
// name or title, and for one that is a tag. The differences: a typo in a
// word's first two characters is not found (those pick the shard), prefixes
// and typos reach at most a budget of postings, and scores are kept to a
// tenth of a point.
(function (factory) {
  "use strict";
  var search = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = search;
  } else if (typeof document !== "undefined") {
    search.init(document);
  }
})(function () {
  "use strict";

  // ------------------------------------------------------------- tokenizer
  // A port of tokenizer.rs: runs of letters and digits, lower-cased, split
  // at case changes (`listRefunds` → listrefunds, list, refunds).

  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var LOWER = /\p{Lowercase}/u;
  var UPPER = /\p{Uppercase}/u;
  var NUMERIC = /\p{N}/u;
  var SPACE = /\p{White_Space}+/u;
  var MAX_TOKEN_BYTES = 64;

  function utf8Length(text) {
    var n = 0;
    for (var ch of text) {
      var c = ch.codePointAt(0);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    return n;
  }

  // Where a new part starts: lower or digit → upper (`listRefunds`,
  // `v1Orders`), and the last capital of an acronym a lower-case letter
  // follows (`HTTPServer` → HTTP, Server).
  function partStarts(chars) {
    var starts = [0];
    for (var i = 1; i < chars.length; i++) {
      var prev = chars[i - 1];
      var cur = chars[i];
      var next = chars[i + 1];
      var lowerToUpper = (LOWER.test(prev) || NUMERIC.test(prev)) && UPPER.test(cur);
      var acronymEnd = UPPER.test(prev) && UPPER.test(cur) && next !== undefined && LOWER.test(next);
      if (lowerToUpper || acronymEnd) starts.push(i);
    }
    return starts;
  }

  /** The runs of `text`: [{whole, parts}], parts empty for a one-part run. */
  function runs(text) {
    var out = [];
    var chars = [];
    function flush() {
      if (!chars.length) return;
      var starts = partStarts(chars);
      var parts = [];
      if (starts.length > 1) {
        for (var n = 0; n < starts.length; n++) {
          parts.push(chars.slice(starts[n], n + 1 < starts.length ? starts[n + 1] : chars.length).join("").toLowerCase());
        }
      }
      out.push({ whole: chars.join("").toLowerCase(), parts: parts });
      chars = [];
    }
    for (var ch of text) {
      if (ALNUM.test(ch)) chars.push(ch);
      else flush();
    }
    flush();
    return out;
  }

  /** The terms `text` is indexed as: each run whole, then its parts. */
  function tokens(text) {
    var out = [];
    runs(text).forEach(function (run) {
      if (utf8Length(run.whole) > MAX_TOKEN_BYTES) return;
      out.push(run.whole);
      out.push.apply(out, run.parts);
    });
    return out;
  }

  // ----------------------------------------------------------------- query
  // A port of query.rs: `facet:value` words filter, the rest is text.

  var FACETS = ["kind", "owner", "lifecycle", "api", "type", "tag", "system"];
  var REF_FACETS = { owner: true, api: true, system: true };

  function asciiLower(text) {
    return text.replace(/[A-Z]/g, function (c) { return c.toLowerCase(); });
  }

  /** A filter value as the index holds it (see query.rs normalise_value). */
  function normaliseValue(facet, value) {
    value = value.toLowerCase();
    if (REF_FACETS[facet]) {
      var colon = value.indexOf(":");
      if (colon >= 0 && value.indexOf("/", colon + 1) < 0) {
        return value.slice(0, colon) + ":default/" + value.slice(colon + 1);
      }
    }
    return value;
  }

  /** {runs, text, filters: [[facet, [values]]]} (see query.rs parse_query). */
  function parseQuery(query) {
    var textWords = [];
    var filters = [];
    query.split(SPACE).forEach(function (word) {
      if (!word) return;
      var colon = word.indexOf(":");
      var facet = colon >= 0 ? asciiLower(word.slice(0, colon)) : "";
      var value = colon >= 0 ? word.slice(colon + 1).replace(/^"+|"+$/g, "") : "";
      if (FACETS.indexOf(facet) < 0 || !value) {
        textWords.push(word);
        return;
      }
      value = normaliseValue(facet, value);
      var filter = filters.find(function (f) { return f[0] === facet; });
      if (!filter) filters.push([facet, [value]]);
      else if (filter[1].indexOf(value) < 0) filter[1].push(value);
    });
    filters.sort(function (a, b) { return FACETS.indexOf(a[0]) - FACETS.indexOf(b[0]); });
    var text = textWords.join(" ");
    return { runs: runs(text), text: text.toLowerCase(), filters: filters };
  }

  // ----------------------------------------------------------------- index

  /** The shard of a term: its first two characters. */
  function shardKey(term) {
    return Array.from(term).slice(0, 2).join("");
  }

  var encoder = typeof TextEncoder === "function" ? new TextEncoder() : null;

  function fnv1a32(text) {
    var bytes = encoder.encode(text);
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes[i];
      hash = Math.imul(hash, 0x01000193);
    }
    return hash >>> 0;
  }

  /** How the index keys an exact name, title or tag (client.rs phrase_hash). */
  function phraseHash(text) {
    return fnv1a32(text).toString(36);
  }

  function own(object, key) {
    return object !== undefined && Object.prototype.hasOwnProperty.call(object, key);
  }

  /** Whether two words (arrays of characters) are at most one edit apart,
   *  an edit being an insertion, a deletion, a substitution or swapping two
   *  neighbours (tantivy's distance with transpositions). */
  function withinOneEdit(a, b) {
    if (Math.abs(a.length - b.length) > 1) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    function rest(x, j) {
      if (a.length - x !== b.length - j) return false;
      for (; x < a.length; x++, j++) if (a[x] !== b[j]) return false;
      return true;
    }
    if (i === a.length && i === b.length) return true;
    if (a.length === b.length) {
      return rest(i + 1, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2));
    }
    return a.length > b.length ? rest(i + 1, i) : rest(i, i + 1);
  }

  /** Every way a facet filter can name an entity ref (index.rs ref_variants). */
  function refVariants(ref) {
    var lower = ref.toLowerCase();
    var out = [lower];
    var colon = lower.indexOf(":");
    if (colon >= 0) {
      var rest = lower.slice(colon + 1);
      out.push(rest);
      var slash = rest.indexOf("/");
      if (slash >= 0) out.push(rest.slice(slash + 1));
    }
    return out;
  }

  /**
   * A search engine over one client index. `load(path, version)` returns a
   * promise of the text of a file of the index (`manifest.json`,
   * `t/3.json`...); `version` is the manifest's content hash (undefined for
   * the manifest itself), for cache busting. Files are loaded once.
   */
  function createEngine(load) {
    var files = new Map();
    var manifest = null;

    function get(path, version) {
      var pending = files.get(path);
      if (!pending) {
        pending = Promise.resolve(load(path, version)).then(JSON.parse);
        pending.catch(function () { files.delete(path); });
        files.set(path, pending);
      }
      return pending;
    }

    function ready() {
      if (!manifest) {
        manifest = get("manifest.json").then(function (m) {
          if (m.v !== 1) throw new Error("search index format " + m.v + " is not supported");
          m.shards = new Map();
          (m.s ? m.s.split("|") : []).forEach(function (keys, i) {
            keys.split(" ").forEach(function (key) { m.shards.set(key, i); });
          });
          m.maskBoost = [];
          for (var mask = 0; mask < 128; mask++) {
            var sum = 0;
            for (var f = 0; f < 7; f++) if (mask & (1 << f)) sum += m.w.b[f];
            m.maskBoost.push(sum);
          }
          return m;
        });
        manifest.catch(function () { manifest = null; });
      }
      return manifest;
    }

    function shard(m, key) {
      if (!m.shards.has(key)) return Promise.resolve(null);
      return get("t/" + m.shards.get(key) + ".json", m.h).then(function (file) {
        var s = own(file, key) ? file[key] : null;
        if (s && !s.terms) s.terms = Object.keys(s.t || {}).concat(Object.keys(s.r || {}));
        return s;
      });
    }

    /** Postings of `term` in shard `s`: a flat array, or null. */
    function postings(m, s, term) {
      if (!s) return Promise.resolve(null);
      if (own(s.t, term)) return Promise.resolve(s.t[term]);
      if (own(s.r, term)) {
        return get("p/" + s.r[term][0] + ".json", m.h).then(function (block) {
          return own(block, term) ? block[term] : null;
        });
      }
      return Promise.resolve(null);
    }

    function size(s, term) {
      return own(s.r, term) ? s.r[term][1] : 0;
    }

    /** The documents the filters let through: a Uint8Array, or null for all. */
    async function filtered(m, filters) {
      var allowed = null;
      for (var filter of filters) {
        var facet = filter[0];
        var set = new Uint8Array(m.n);
        for (var value of filter[1]) {
          var buckets = m.f[facet] || 1;
          var name = value.slice(value.lastIndexOf("/") + 1);
          var bucket = await get("f/" + facet + "/" + (fnv1a32(name) % buckets) + ".json", m.h);
          for (var key of Object.keys(bucket)) {
            var match = REF_FACETS[facet] ? refVariants(key).indexOf(value) >= 0 : key === value;
            if (!match) continue;
            var runsOf = bucket[key];
            var at = 0;
            for (var i = 0; i < runsOf.length; i += 2) {
              at += runsOf[i];
              set.fill(1, at, at + runsOf[i + 1]);
              at += runsOf[i + 1];
            }
          }
        }
        if (allowed) for (var d = 0; d < m.n; d++) allowed[d] &= set[d];
        else allowed = set;
      }
      return allowed;
    }

    /** Metadata of document `doc`: {kind, title, subtitle, url, owner, api}. */
    async function describe(m, doc) {
      var chunk = await get("d/" + Math.floor(doc / m.c) + ".json", m.h);
      if (!chunk.decoded) {
        var url = "";
        chunk.decoded = chunk.map(function (e) {
          url = url.slice(0, e[3] || 0) + (e[4] || "");
          return { kind: m.k[e[0]], title: e[1] || "", subtitle: e[2] || "", url: url, owner: e[5] || null, api: e[6] || null };
        });
      }
      return chunk.decoded[doc % m.c];
    }

    /**
     * The best `limit` documents for `query`, best first:
     * [{doc, score, kind, title, subtitle, url, owner, api}].
     */
    async function search(query, limit) {
      var m = await ready();
      var q = parseQuery(query);
      if (!q.runs.length && !q.filters.length) return [];
      var w = m.w;
      // The bucket of exact names, titles and tags the query's text is in.
      var phrases = q.text && q.runs.length
        ? get("x/" + (fnv1a32(q.text) % m.x) + ".json", m.h)
        : Promise.resolve(null);
      var keys = new Set();
      q.runs.forEach(function (run) {
        keys.add(shardKey(run.whole));
        run.parts.forEach(function (p) { keys.add(shardKey(p)); });
      });
      var shards = new Map();
      var allowedPromise = q.filters.length ? filtered(m, q.filters) : Promise.resolve(null);
      await Promise.all(Array.from(keys).map(function (key) {
        return shard(m, key).then(function (s) { shards.set(key, s); });
      }));

      // What each word reaches: the word, its parts, and (optionally) the
      // terms it is a prefix of or one typo away from.
      var last = q.runs.length - 1;
      var expansions = [];
      var words = q.runs.map(function (run, i) {
        var s = shards.get(shardKey(run.whole));
        var chars = Array.from(run.whole);
        var word = {
          run: run,
          shard: s,
          prefix: i === last && chars.length >= w.minPrefix,
          fuzzy: chars.length >= w.minFuzzy,
          expansions: [],
        };
        if (s && (word.prefix || word.fuzzy)) {
          s.terms.forEach(function (term) {
            if (term === run.whole) return;
            var isPrefix = word.prefix && term.startsWith(run.whole);
            var isFuzzy = word.fuzzy && withinOneEdit(chars, Array.from(term));
            if (isPrefix || isFuzzy) {
              var x = { term: term, prefix: isPrefix, fuzzy: isFuzzy, size: size(s, term), postings: null };
              word.expansions.push(x);
              expansions.push(x);
            }
          });
        }
        return word;
      });
      // Terms with postings files of their own, smallest first, up to the
      // budget; the rest are left out.
      var budget = m.e;
      expansions
        .filter(function (x) { return x.size > 0; })
        .sort(function (a, b) { return a.size - b.size || (a.term < b.term ? -1 : 1); })
        .forEach(function (x) {
          if (x.size <= budget) budget -= x.size;
          else x.skip = true;
        });

      var loads = [];
      words.forEach(function (word) {
        loads.push(postings(m, word.shard, word.run.whole).then(function (p) { word.postings = p; }));
        word.parts = word.run.parts.map(function (part) {
          var entry = { postings: null };
          loads.push(postings(m, shards.get(shardKey(part)), part).then(function (p) { entry.postings = p; }));
          return entry;
        });
        word.expansions.forEach(function (x) {
          if (!x.skip) loads.push(postings(m, word.shard, x.term).then(function (p) { x.postings = p; }));
        });
      });
      loads.push(allowedPromise, phrases);
      await Promise.all(loads);
      var allowed = await allowedPromise;
      var phraseBucket = await phrases;

      // Scores: document → [score, words matched].
      var scores = new Map();
      // Postings (client.rs encode_postings): k, k values, then per
      // document its distance from the previous times k plus its value's
      // index.
      function each(list, visit) {
        if (!list) return;
        var k = list[0];
        var doc = 0;
        for (var i = 1 + k; i < list.length; i++) {
          doc += Math.floor(list[i] / k);
          visit(doc, list[1 + (list[i] % k)]);
        }
      }
      words.forEach(function (word) {
        var acc = new Map();
        function entry(doc) {
          var e = acc.get(doc);
          if (!e) {
            e = { score: 0, prefix: 0, fuzzy: 0 };
            acc.set(doc, e);
          }
          return e;
        }
        each(word.postings, function (doc, value) {
          var e = entry(doc);
          var mask = value % 128;
          e.score += Math.floor(value / 128) / w.scale;
          if (word.prefix) e.prefix |= mask;
          if (word.fuzzy) e.fuzzy |= mask;
        });
        word.parts.forEach(function (part) {
          each(part.postings, function (doc, value) {
            entry(doc).score += (w.part * Math.floor(value / 128)) / w.scale;
          });
        });
        word.expansions.forEach(function (x) {
          each(x.postings, function (doc, value) {
            var e = entry(doc);
            var mask = value % 128;
            if (x.prefix) e.prefix |= mask;
            if (x.fuzzy) e.fuzzy |= mask;
          });
        });
        acc.forEach(function (e, doc) {
          var score = e.score + w.prefix * m.maskBoost[e.prefix] + w.fuzzy * m.maskBoost[e.fuzzy];
          var total = scores.get(doc);
          if (total) {
            total[0] += score;
            total[1] += 1;
          } else {
            scores.set(doc, [score, 1]);
          }
        });
      });
      if (q.runs.length > 1) {
        scores.forEach(function (total) {
          if (total[1] === q.runs.length) total[0] += w.all;
        });
      }
      if (phraseBucket) {
        // Only to documents with every word: as one whose name is the
        // query has (and a hash shared by two texts lends nothing more).
        var hash = phraseHash(q.text);
        [[phraseBucket.x, w.exact], [phraseBucket.g, w.tag]].forEach(function (pair) {
          if (!own(pair[0], hash)) return;
          var doc = 0;
          pair[0][hash].forEach(function (delta) {
            doc += delta;
            var total = scores.get(doc);
            if (total && total[1] === q.runs.length) total[0] += pair[1];
          });
        });
      }

      var ranked = [];
      if (!q.runs.length && !q.text) {
        // Only filters: every document they let through, in order.
        for (var d = 0; d < m.n && ranked.length < limit; d++) if (allowed[d]) ranked.push([d, 0]);
      } else {
        scores.forEach(function (total, doc) {
          if (!allowed || allowed[doc]) ranked.push([doc, total[0]]);
        });
        ranked.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        ranked.length = Math.min(ranked.length, limit);
      }
      return Promise.all(ranked.map(function (r) {
        return describe(m, r[0]).then(function (meta) {
          return Object.assign({ doc: r[0], score: r[1] }, meta);
        });
      }));
    }

    return { ready: ready, search: search };
  }

  // ------------------------------------------------------------- interface

  var GROUPS = {
    component: "Components", api: "APIs", operation: "Operations", schema: "Schemas",
    channel: "Channels", message: "Messages", docs: "Docs", system: "Systems",
    domain: "Domains", resource: "Resources", group: "Groups", user: "Users",
  };
  var KINDS = { api: "API", docs: "docs" };
  var LIMIT = 10;

  function groupLabel(kind) {
    return GROUPS[kind] || kind.charAt(0).toUpperCase() + kind.slice(1);
  }

  function element(doc, name, attributes, text) {
    var el = doc.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) { el.setAttribute(key, attributes[key]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  /** The search box of the page: a form with `data-base` holding the site's base URL. */
  // Whatever happens, the explorer's rows are shown after (theme.js held
  // them unseen while a submitted query waited to filter them).
  function init(doc) {
    try {
      initSearch(doc);
    } finally {
      doc.documentElement.classList.remove("js-filtering");
    }
  }

  function initSearch(doc) {
    var form = doc.querySelector("form[role=search][data-base]");
    var input = form && form.querySelector("input[name=q]");
    if (!input || typeof fetch !== "function" || !encoder) return;
    var win = doc.defaultView;
    var base = form.getAttribute("data-base") || "/";
    var indexUrl = new URL(base + "_search/", doc.baseURI);
    var engine = createEngine(function (path, version) {
      var url = new URL(path + (version ? "?v=" + version : ""), indexUrl);
      return fetch(url, { cache: version ? "default" : "no-cache", credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status + " for " + url.pathname);
        return response.text();
      });
    });

    var popup = element(doc, "div", { class: "search-popup" });
    popup.hidden = true;
    var listbox = element(doc, "div", { id: "search-results", role: "listbox", "aria-label": "Search results" });
    var status = element(doc, "p", { class: "search-status", role: "status" });
    popup.appendChild(listbox);
    popup.appendChild(status);
    form.appendChild(popup);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");

    var options = [];
    var active = -1;
    var sequence = 0;
    var shown = null; // the query the popup shows
    var enterPending = false;

    function open() {
      popup.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      popup.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }
    function setActive(n) {
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = n;
      if (n >= 0 && options[n]) {
        var option = options[n];
        option.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", option.id);
        // The first of a group brings its heading into view with it.
        var group = option.parentNode;
        if (group.querySelector("[role=option]") === option) group.firstChild.scrollIntoView({ block: "nearest" });
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function go(option) {
      win.location.assign(option.href);
    }

    function render(query, hits) {
      listbox.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var groups = [];
      hits.forEach(function (hit) {
        var group = groups.find(function (g) { return g.kind === hit.kind; });
        if (!group) groups.push((group = { kind: hit.kind, hits: [] }));
        group.hits.push(hit);
      });
      groups.forEach(function (group, g) {
        var box = element(doc, "div", { role: "group", "aria-labelledby": "search-group-" + g });
        box.appendChild(element(doc, "div", { class: "search-group", id: "search-group-" + g, role: "presentation" }, groupLabel(group.kind)));
        group.hits.forEach(function (hit) {
          var option = element(doc, "a", {
            class: "search-option",
            id: "search-option-" + options.length,
            role: "option",
            href: base + hit.url,
            tabindex: "-1",
            "aria-selected": "false",
          });
          option.appendChild(element(doc, "span", { class: "search-title" }, hit.title));
          option.appendChild(element(doc, "span", { class: "search-kind" }, KINDS[hit.kind] || hit.kind));
          if (hit.subtitle) option.appendChild(element(doc, "span", { class: "search-subtitle" }, hit.subtitle));
          box.appendChild(option);
          options.push(option);
        });
        listbox.appendChild(box);
      });
      listbox.hidden = !hits.length;
      status.textContent = hits.length
        ? hits.length + (hits.length === 1 ? " result" : " results") + (hits.length === LIMIT ? " shown" : "")
        : "Nothing found for \u201c" + query + "\u201d";
      shown = query;
    }

    // A keystroke waits this long for the next before searching, so fast
    // typing does not fetch the files of every prefix on the way.
    var DEBOUNCE_MS = 50;
    var timer = null;
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(update, DEBOUNCE_MS);
    }

    function update() {
      clearTimeout(timer);
      timer = null;
      var query = input.value;
      var n = ++sequence;
      if (!query.trim()) {
        shown = null;
        close();
        return;
      }
      engine.search(query, LIMIT).then(function (hits) {
        if (n !== sequence) return;
        render(query, hits);
        if (doc.activeElement === input) open();
        if (enterPending) {
          enterPending = false;
          if (options.length) go(options[0]);
          else form.submit();
        }
      }, function (error) {
        if (n !== sequence) return;
        if (enterPending) {
          // No index to ask: the catalog explorer, as without script.
          enterPending = false;
          form.submit();
          return;
        }
        listbox.textContent = "";
        listbox.hidden = true;
        options = [];
        status.textContent = "Search is not available: " + error.message;
        open();
      });
    }

    input.addEventListener("focus", function () {
      // The manifest, on first focus: nothing is fetched before that.
      engine.ready().catch(function () {});
      if (input.value.trim()) {
        if (shown === input.value) open();
        else update();
      }
    });
    input.addEventListener("input", schedule);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      // Keys that compose a character (an input method) are not ours.
      if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
      var isOpen = !popup.hidden;
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp":
          event.preventDefault();
          if (!isOpen) {
            if (input.value.trim()) update();
            return;
          }
          if (!options.length) return;
          if (event.key === "ArrowDown") setActive(active + 1 < options.length ? active + 1 : 0);
          else setActive(active > 0 ? active - 1 : options.length - 1);
          return;
        case "Enter":
          if (!input.value.trim()) return;
          if (shown !== input.value) {
            // Results are on their way: open the first when they come.
            event.preventDefault();
            enterPending = true;
            update();
          } else if (options.length) {
            event.preventDefault();
            go(options[active >= 0 ? active : 0]);
          }
          // Nothing found: the form goes to the catalog explorer.
          return;
        case "Escape":
          if (isOpen) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            shown = null;
          }
          return;
      }
    });
    form.addEventListener("submit", function (event) {
      if (shown === input.value && options.length) {
        event.preventDefault();
        go(options[active >= 0 ? active : 0]);
      }
    });
    // Clicking a result must not take the focus from the box first.
    popup.addEventListener("mousedown", function (event) { event.preventDefault(); });

    doc.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      if (isTyping(event.target)) return;
      event.preventDefault();
      input.focus();
      input.select();
    });

    // The no-script route: a submitted query lands on the catalog explorer;
    // there, show it in the box and filter the table by its words.
    var params = new URLSearchParams(win.location.search);
    var submitted = params.get("q");
    if (submitted && new URL(form.action).pathname === win.location.pathname) {
      input.value = submitted;
      var table = doc.querySelector("input[data-filter-table]");
      if (table) {
        table.value = parseQuery(submitted).text;
        table.dispatchEvent(new Event("input"));
      }
    }
  }

  return {
    runs: runs,
    tokens: tokens,
    parseQuery: parseQuery,
    shardKey: shardKey,
    phraseHash: phraseHash,
    withinOneEdit: withinOneEdit,
    createEngine: createEngine,
    init: init,
  };
});
