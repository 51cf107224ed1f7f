// Live reload for `portolan serve`: served by serve itself at
// /_portolan/reload.js and injected only into pages it serves, never into
// a built site. It listens to /_portolan/events (Server-Sent Events):
// `reload` after a successful rebuild, `error` with the findings of a
// rebuild that failed (shown in an overlay over the last good page), and
// `hello` with the build being served, so a page reloads when it missed a
// rebuild (or the server restarted) while it was disconnected.
(function () {
  "use strict";
  // The build this page is from: serve writes it into this script's tag
  // (data-build), so that a rebuild finished between the page's request
  // and the stream's first `hello` reloads the page too. Taking the first
  // `hello` as the page's build would miss it.
  var script = document.currentScript;
  var known = script ? script.getAttribute("data-build") : null;
  var overlay = null;

  function stylesheet() {
    if (document.getElementById("portolan-overlay-css")) {
      return;
    }
    var link = document.createElement("link");
    link.id = "portolan-overlay-css";
    link.rel = "stylesheet";
    link.href = "/_portolan/overlay.css";
    document.head.appendChild(link);
  }

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(text) {
    stylesheet();
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.className = "portolan-overlay";
      overlay.setAttribute("role", "alert");
      var head = document.createElement("header");
      var title = document.createElement("strong");
      title.textContent =
        "portolan serve: the last change does not build. You are looking at the last good site.";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "Dismiss";
      close.addEventListener("click", hide);
      head.appendChild(title);
      head.appendChild(close);
      overlay.appendChild(head);
      overlay.appendChild(document.createElement("pre"));
      document.body.appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }

  // Escape dismisses the overlay as Dismiss does, unless something on the
  // page took the key first (the search box closes its results with it).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && overlay && !event.defaultPrevented) {
      hide();
    }
  });

  var source = new EventSource("/_portolan/events");
  source.addEventListener("hello", function (event) {
    if (known === null) {
      known = event.data;
    } else if (event.data !== known) {
      location.reload();
    }
  });
  source.addEventListener("reload", function () {
    location.reload();
  });
  // A lost connection is an `error` too (a plain Event, no data); only
  // the server's own `error` events carry findings.
  source.addEventListener("error", function (event) {
    if (typeof event.data === "string") {
      show(event.data);
    }
  });
})();
