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
// button stays hidden without JavaScript, where the system's choice rules.
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
  button.hidden = false;
})();
