/* The household's waiting page: ask every few seconds whether the worker answered; on an
   answer (or expiry) reload the page, which shows the record or says why not. Same origin,
   no inline script; without JavaScript the page's 刷新 button does the same. */
(function () {
  "use strict";
  var box = document.querySelector("[data-consent-wait]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 3;
  var timer = null;

  function check() {
    if (document.hidden) {
      return;
    }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.state !== "pending") {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () {
        /* A dropped connection: try again at the next tick. */
      });
  }

  timer = window.setInterval(check, seconds * 1000);
  document.addEventListener("visibilitychange", check);
})();
