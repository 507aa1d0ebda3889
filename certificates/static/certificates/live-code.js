/* The worker's live code: fetch a fresh signed QR every few seconds (same origin, no inline script). */
(function () {
  "use strict";
  var box = document.querySelector("[data-live-code]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-refresh-url");
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 20;
  var qr = box.querySelector(".live-code__qr");
  var stamp = box.querySelector(".live-code__time");

  function refresh() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        qr.innerHTML = data.svg; // server-rendered SVG of our own QR
        qr.setAttribute("data-live-url", data.url);
        stamp.textContent = data.made_at;
        box.classList.remove("live-code--stale");
      })
      .catch(function () {
        box.classList.add("live-code--stale");
      });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refresh();
    }
  });
})();
