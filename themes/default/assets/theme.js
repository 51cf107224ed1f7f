// portolan: the reader's light/dark choice, applied before the page paints
// (loaded without `defer` for that). Without it, or without a stored choice,
// the page follows the system's preference (prefers-color-scheme).
(function () {
  "use strict";
  try {
    var choice = window.localStorage.getItem("portolan-theme");
    if (choice === "light" || choice === "dark") {
      document.documentElement.setAttribute("data-theme", choice);
    }
  } catch (e) {
    // Storage refused (a private window's policy): follow the system.
  }
})();
