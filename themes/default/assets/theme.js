// portolan: the reader's light/dark choice, applied before the page paints
// (loaded without `defer` for that). Without it, or without a stored choice,
// the page follows the system's preference (prefers-color-scheme).
// It also marks the root `js` (so the stylesheet can lay out, before the
// first paint, what portolan.js will do) and copies the remembered code
// sample language to it, so the right sample shows from the start.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  root.setAttribute("data-sample-lang", "curl");
  // A submitted search lands on the explorer, whose table search.js then
  // filters: its rows wait unseen until then, instead of showing and
  // jumping away.
  if (/[?&]q=/.test(window.location.search)) { root.classList.add("js-filtering"); }
  try {
    var choice = window.localStorage.getItem("portolan-theme");
    if (choice === "light" || choice === "dark") {
      root.setAttribute("data-theme", choice);
    }
    var lang = window.localStorage.getItem("portolan-lang");
    if (lang) { root.setAttribute("data-sample-lang", lang); }
  } catch (e) {
    // Storage refused (a private window's policy): follow the system.
  }
})();
