/* The worker's inbox on /me/code/: ask every few seconds whether a request arrived (a small
   JSON answer with a version; the HTML only when it changed). Same origin, no inline script;
   without JavaScript the page reloads itself (its <noscript> refresh) and shows the same. */
(function () {
  "use strict";
  var box = document.querySelector("[data-consent-inbox]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-url");
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 3;
  var items = box.querySelector("[data-consent-inbox-items]");

  function busy() {
    /* Never redraw under the worker's finger: a form being used keeps its state. */
    var active = document.activeElement;
    return active && items.contains(active) && active.tagName === "INPUT";
  }

  function check() {
    if (document.hidden || busy()) {
      return;
    }
    var version = box.getAttribute("data-version") || "";
    fetch(url + "?v=" + encodeURIComponent(version), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && typeof data.html === "string") {
          items.innerHTML = data.html; /* our own server-rendered, escaped template */
          box.setAttribute("data-version", data.version);
        }
      })
      .catch(function () {
        /* Offline for a moment: the next tick tries again. */
      });
  }

  window.setInterval(check, seconds * 1000);
  document.addEventListener("visibilitychange", check);
})();
