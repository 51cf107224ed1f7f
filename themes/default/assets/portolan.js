// portolan: progressive enhancement only. Every page works without this.
// Filters the rows of a table as the reader types.
(function () {
  "use strict";
  document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
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
