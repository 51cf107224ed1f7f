// portolan: progressive enhancement only. Every page works without this.
// Filters the rows of a table as the reader types.
(function () {
  "use strict";
  // The explorer's table has its own filters (below).
  document.querySelectorAll("input[data-filter-table]:not([data-filter-table='entities'])").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter-table"));
    if (!table) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  });
})();
// The light/dark switch (theme.js applies the stored choice at load): the
// button holds its place but stays invisible (and out of the tab order)
// without JavaScript, where the system's choice rules.
(function () {
  "use strict";
  var button = document.querySelector("button.theme-switch");
  if (!button || !window.matchMedia) { return; }
  var root = document.documentElement;
  var system = window.matchMedia("(prefers-color-scheme: dark)");
  function current() {
    return root.getAttribute("data-theme") || (system.matches ? "dark" : "light");
  }
  function label() {
    var dark = current() === "dark";
    button.textContent = dark ? "Light theme" : "Dark theme";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
  }
  button.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { window.localStorage.setItem("portolan-theme", next); } catch (e) { /* kept for this page only */ }
    label();
  });
  if (system.addEventListener) { system.addEventListener("change", label); }
  label();
  button.removeAttribute("data-pending");
})();
// Code samples: one language at a time, chosen in the list above each set
// (rendered invisible, shown here); the choice applies to every set and is
// remembered (theme.js applies it before the first paint). Without
// JavaScript every sample shows under its heading.
(function () {
  "use strict";
  var sets = document.querySelectorAll("div.samples");
  if (!sets.length) { return; }
  var root = document.documentElement;
  function show(lang) {
    root.setAttribute("data-sample-lang", lang);
    sets.forEach(function (set) {
      var samples = Array.prototype.slice.call(set.querySelectorAll("section.sample"));
      var has = samples.some(function (s) { return s.getAttribute("data-lang") === lang; });
      var chosen = has ? lang : samples.length ? samples[0].getAttribute("data-lang") : null;
      samples.forEach(function (s) { s.classList.toggle("chosen", s.getAttribute("data-lang") === chosen); });
      var select = set.querySelector("select");
      if (select && chosen !== null) { select.value = chosen; }
    });
  }
  sets.forEach(function (set) {
    var select = set.querySelector("select");
    if (!select) { return; }
    select.addEventListener("change", function () {
      try { window.localStorage.setItem("portolan-lang", select.value); } catch (e) { /* this page only */ }
      show(select.value);
    });
    select.closest(".sample-switch").removeAttribute("data-pending");
  });
  show(root.getAttribute("data-sample-lang") || "curl");
})();
// Copying: a code block's text (a copy button on every one), and the
// absolute URL of a heading's anchor (the "Copy link" buttons the reference
// renders, shown only with JavaScript).
(function () {
  "use strict";
  // Copies `text` (selecting `node` for the fallback) and says so on `button`.
  function copy(text, node, button) {
    var label = button.textContent;
    function done(ok) {
      button.textContent = ok ? "Copied" : "Press Ctrl+C";
      window.setTimeout(function () { button.textContent = label; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok);
  }
  document.querySelectorAll("button.copy-link[data-anchor]").forEach(function (button) {
    var url = new URL("#" + button.getAttribute("data-anchor"), location.href).href;
    button.addEventListener("click", function () {
      var holder = document.createElement("span");
      holder.className = "visually-hidden";
      holder.textContent = url;
      button.parentNode.appendChild(holder);
      copy(url, holder, button);
      window.setTimeout(function () { holder.remove(); }, 0);
    });
  });
  document.querySelectorAll("main pre").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.addEventListener("click", function () { copy(pre.innerText, pre, button); });
    var wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(button);
    wrap.appendChild(pre);
  });
})();
// The API reference's contents: a filter, a menu button on narrow screens
// (the stylesheet folds the contents there), the operation in view marked,
// and the scroll position kept from page to page of one reference.
(function () {
  "use strict";
  var nav = document.querySelector("nav.ref-nav");
  if (!nav) { return; }
  var toggle = nav.querySelector("button.ref-nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var filter = nav.querySelector(".ref-filter");
  if (filter) {
    var input = filter.querySelector("input");
    var items = Array.prototype.slice.call(nav.querySelectorAll("li"));
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      items.forEach(function (li) {
        var text = li.textContent.toLowerCase();
        li.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
    filter.removeAttribute("data-pending");
  }
  var key = "portolan-ref-scroll:" + (nav.querySelector("a") || {}).href;
  try {
    var saved = window.sessionStorage.getItem(key);
    if (saved !== null) { nav.scrollTop = Number(saved) || 0; }
    window.addEventListener("pagehide", function () { window.sessionStorage.setItem(key, String(nav.scrollTop)); });
  } catch (e) { /* storage refused: start at the top */ }
  if (!("IntersectionObserver" in window)) { return; }
  var links = {};
  nav.querySelectorAll("a[href*='#']").forEach(function (a) {
    var url = new URL(a.href, location.href);
    if (url.pathname === location.pathname && url.hash) { links[decodeURIComponent(url.hash.slice(1))] = a; }
  });
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var link = links[entry.target.id];
      if (link && entry.isIntersecting) {
        nav.querySelectorAll("a.active").forEach(function (a) { a.classList.remove("active"); });
        link.classList.add("active");
      }
    });
  }, { rootMargin: "0px 0px -70% 0px" });
  document.querySelectorAll("article.operation[id]").forEach(function (article) { observer.observe(article); });
})();
// Several examples of one body: one at a time, chosen in the list above
// them (hidden without JavaScript, where every example shows, labelled).
(function () {
  "use strict";
  document.querySelectorAll("div.examples").forEach(function (set) {
    var select = set.querySelector(".example-switch select");
    var figures = Array.prototype.slice.call(set.querySelectorAll(":scope > figure.example"));
    if (!select || !figures.length) { return; }
    function show(index) {
      figures.forEach(function (f, i) { f.classList.toggle("chosen", i === index); });
      set.classList.add("switched");
    }
    select.addEventListener("change", function () { show(Number(select.value) || 0); });
    show(Number(select.value) || 0);
  });
})();
// The catalog explorer: sortable columns, a checkbox on each of the
// sidebar's values with live counts, a result count, and the state in
// the address (?type=service&tag=java&sort=owner&order=desc&q=words),
// read on load and kept up to date with history.replaceState so a
// filtered view can be shared. Values are the URL segments the rows
// carry (data-owner, data-system, links to value pages). A table split
// into pages fetches its other pages' rows (same origin) the first time
// the reader sorts or filters, so both apply to the whole table. Without
// JavaScript the sidebar's links lead to each value's own page.
(function () {
  "use strict";
  var table = document.getElementById("entities");
  if (!table || !table.tBodies[0]) { return; }
  var FACETS = ["kind", "type", "owner", "lifecycle", "tag", "system", "level"];
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  rows.forEach(function (row, i) { row.portolanIndex = i; });
  var paged = table.hasAttribute("data-paged");
  var status = document.getElementById("result-count");
  var initialStatus = status ? status.textContent : "";
  var input = document.querySelector("input[data-filter-table='entities']");
  var sidebar = document.querySelector(".facet-sidebar");
  var clear = sidebar && sidebar.querySelector(".clear-filters");
  var state = { filters: {}, sort: "", order: "asc", q: "" };
  var params = new URLSearchParams(window.location.search);
  FACETS.forEach(function (facet) {
    var values = params.getAll(facet).filter(Boolean);
    if (values.length) { state.filters[facet] = values; }
  });
  state.sort = params.get("sort") || "";
  state.order = params.get("order") === "desc" ? "desc" : "asc";
  state.q = params.get("q") || "";

  // A row's values: owner and system from its attributes; kind from its
  // cell; type, lifecycle and tags from the links to their pages.
  var COLUMN = { kind: 1, type: 2, lifecycle: 4, tag: 6, level: 8 };
  var PAGE = /\/_by\/[a-z]+\/([^/]+)\/$/;
  function readTokens(row) {
    var out = {};
    FACETS.forEach(function (facet) {
      var value = row.getAttribute("data-" + facet);
      if (value) { out[facet] = value.split(" "); return; }
      var cell = row.cells[COLUMN[facet]];
      if (!cell) { out[facet] = []; return; }
      if (facet === "kind") { out[facet] = [cell.textContent.trim().toLowerCase()]; return; }
      out[facet] = Array.prototype.map.call(cell.querySelectorAll("a"), function (a) {
        var m = PAGE.exec(a.getAttribute("href") || "");
        return m ? m[1] : null;
      }).filter(Boolean);
    });
    return out;
  }
  rows.forEach(function (row) { row.portolanTokens = readTokens(row); });
  function tokens(row, facet) { return row.portolanTokens[facet] || []; }
  function words() {
    return (input ? input.value : "").toLowerCase().split(/\s+/).filter(Boolean);
  }
  // Whether a row passes every filter but `skip`'s (and the words).
  function passes(row, skip, ws) {
    var text = row.textContent.toLowerCase();
    if (!ws.every(function (w) { return text.indexOf(w) !== -1; })) { return false; }
    return FACETS.every(function (facet) {
      var wanted = state.filters[facet];
      if (facet === skip || !wanted || !wanted.length) { return true; }
      var has = tokens(row, facet);
      return wanted.some(function (v) { return has.indexOf(v) !== -1; });
    });
  }

  // A checkbox before each of the sidebar's values (its link still leads
  // to the value's own page).
  var boxes = [];
  function addBoxes() {
    if (!sidebar || paged) { return; }
    sidebar.querySelectorAll("section[data-facet]").forEach(function (section) {
      var facet = section.getAttribute("data-facet");
      var heading = section.querySelector("h3");
      section.querySelectorAll("li[data-value]").forEach(function (li) {
        var value = li.getAttribute("data-value");
        var link = li.querySelector("a");
        var box = document.createElement("input");
        box.type = "checkbox";
        // The link's visible text (its visually hidden prefix names the
        // facet, which the heading already does here).
        var shown = link.lastChild ? link.lastChild.textContent : link.textContent;
        box.setAttribute("aria-label", (heading ? heading.textContent + ": " : "") + shown);
        box.checked = (state.filters[facet] || []).indexOf(value) !== -1;
        box.addEventListener("change", function () {
          var list = state.filters[facet] || [];
          var at = list.indexOf(value);
          if (box.checked && at === -1) { list.push(value); }
          if (!box.checked && at !== -1) { list.splice(at, 1); }
          state.filters[facet] = list;
          update();
        });
        li.insertBefore(box, li.firstChild);
        li.classList.add("checkable");
        boxes.push({ facet: facet, value: value, box: box, count: li.querySelector(".count") });
      });
    });
  }
  addBoxes();

  // The rows of every page of a paged table, in page order, fetched once;
  // `then` runs when they are in (or when they could not be fetched).
  var pageNav = document.querySelector('nav[aria-label="Pages of this table"]');
  var waiting = null;
  function withAllRows(then) {
    if (!paged || !pageNav || !window.fetch || !window.DOMParser) { then(); return; }
    if (waiting) { waiting.push(then); return; }
    waiting = [then];
    if (status) { status.textContent = "Loading all " + (status.getAttribute("data-total") || "") + " entities…"; }
    var links = Array.prototype.slice.call(pageNav.querySelectorAll("a"));
    Promise.all(links.map(function (a) {
      if (a.getAttribute("aria-current") === "page") { return Promise.resolve(null); }
      return fetch(a.href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      });
    })).then(function (texts) {
      var all = [];
      texts.forEach(function (text) {
        if (text === null) { all = all.concat(rows); return; }
        var other = new DOMParser().parseFromString(text, "text/html").getElementById("entities");
        if (!other || !other.tBodies[0]) { throw new Error("no table"); }
        Array.prototype.forEach.call(other.tBodies[0].rows, function (row) {
          all.push(document.importNode(row, true));
        });
      });
      tbody.textContent = "";
      all.forEach(function (row, i) {
        row.portolanIndex = i;
        row.portolanTokens = row.portolanTokens || readTokens(row);
        tbody.appendChild(row);
      });
      rows = all;
      paged = false;
      table.removeAttribute("data-paged");
      pageNav.hidden = true;
      initialStatus = rows.length + " entit" + (rows.length === 1 ? "y" : "ies");
      addBoxes();
    }).catch(function () {
      // This page's rows only, as without the other pages.
      initialStatus = initialStatus + " (the other pages could not be loaded: sorting and filtering apply to this page)";
    }).then(function () {
      var callbacks = waiting;
      waiting = null;
      callbacks.forEach(function (f) { f(); });
    });
  }
  function refresh() { withAllRows(update); }
  if (clear) {
    clear.querySelector("button").addEventListener("click", function () {
      state.filters = {};
      boxes.forEach(function (b) { b.box.checked = false; });
      if (input) { input.value = ""; }
      refresh();
    });
  }

  // Sorting: a button in each sortable heading.
  var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function sortRows() {
    var column = -1;
    headings.forEach(function (th, i) {
      var key = th.getAttribute("data-sort");
      if (!key) { return; }
      if (key === state.sort) {
        column = i;
        th.setAttribute("aria-sort", state.order === "desc" ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
    var sign = state.order === "desc" ? -1 : 1;
    var sorted = rows.slice().sort(function (a, b) {
      if (column !== -1) {
        // A cell may say how it sorts (levels sort by rank, not name).
        var key = function (cell) {
          var given = cell.getAttribute("data-sort-value");
          return given !== null ? given : cell.textContent.trim().toLowerCase();
        };
        var x = key(a.cells[column]);
        var y = key(b.cells[column]);
        // Empty cells last, whichever the order.
        if (x === "" && y !== "") { return 1; }
        if (y === "" && x !== "") { return -1; }
        var by = x.localeCompare(y, undefined, { numeric: true });
        if (by !== 0) { return sign * by; }
      }
      return a.portolanIndex - b.portolanIndex;
    });
    sorted.forEach(function (row) { tbody.appendChild(row); });
  }
  headings.forEach(function (th) {
    var key = th.getAttribute("data-sort");
    if (!key) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    button.addEventListener("click", function () {
      if (state.sort === key) {
        state.order = state.order === "asc" ? "desc" : "asc";
      } else {
        state.sort = key;
        state.order = "asc";
      }
      refresh();
    });
    th.textContent = "";
    th.appendChild(button);
  });

  function writeAddress() {
    var out = new URLSearchParams();
    FACETS.forEach(function (facet) {
      (state.filters[facet] || []).forEach(function (v) { out.append(facet, v); });
    });
    if (state.sort) {
      out.set("sort", state.sort);
      if (state.order === "desc") { out.set("order", "desc"); }
    }
    var q = input ? input.value.trim() : "";
    if (q) { out.set("q", q); }
    var query = out.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    try { window.history.replaceState(null, "", url); } catch (e) { /* a file: page */ }
  }

  function update() {
    var ws = words();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = passes(row, null, ws);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    // Each value's count: the rows it would show, given the other facets.
    var counts = {};
    rows.forEach(function (row) {
      FACETS.forEach(function (facet) {
        if (!passes(row, facet, ws)) { return; }
        tokens(row, facet).forEach(function (v) {
          var key = facet + "\u0000" + v;
          counts[key] = (counts[key] || 0) + 1;
        });
      });
    });
    boxes.forEach(function (b) {
      if (b.count) { b.count.textContent = String(counts[b.facet + "\u0000" + b.value] || 0); }
    });
    var filtering = ws.length > 0 || FACETS.some(function (f) { return (state.filters[f] || []).length > 0; });
    if (clear) { clear.hidden = !filtering; }
    if (status) {
      if (!filtering) {
        status.textContent = initialStatus;
      } else if (paged) {
        status.textContent = shown + " of the " + rows.length + " entities on this page match";
      } else {
        status.textContent = shown + " of " + rows.length + " entit" + (rows.length === 1 ? "y" : "ies") + " match";
      }
    }
    sortRows();
    writeAddress();
  }

  if (input) {
    if (state.q && !input.value) { input.value = state.q; }
    input.addEventListener("input", refresh);
  }
  // A shared address that sorts or filters a paged table needs every page.
  var asked = state.sort || state.q || FACETS.some(function (f) { return state.filters[f]; });
  if (asked) { refresh(); } else { update(); }
})();
// Exclusive alternatives (a schema's oneOf/anyOf) are <details name>
// groups: opening one closes the others of its group. Browsers that do
// not know the attribute get the same from this script; without either,
// each alternative still opens and closes on its own.
(function () {
  "use strict";
  if (!window.HTMLDetailsElement || "name" in HTMLDetailsElement.prototype) { return; }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.open || opened.tagName !== "DETAILS") { return; }
    var group = opened.getAttribute("name");
    if (!group) { return; }
    document.querySelectorAll("details[name]").forEach(function (other) {
      if (other !== opened && other.open && other.getAttribute("name") === group) { other.open = false; }
    });
  }, true);
})();
