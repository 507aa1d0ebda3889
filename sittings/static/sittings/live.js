/* The proctor's live view: every 5 s the seat states come from live.json and the table is
 * updated in place (no reload, so an open action form keeps what was typed). Between
 * polls the time left counts down locally; each poll resets it to the server's figure.
 * A static file (the admin's CSP allows no inline script).
 */
(function () {
  "use strict";

  var root = document.getElementById("sittings-live");
  if (!root || !window.fetch) return;
  var url = root.dataset.url;
  var staleEl = document.getElementById("sittings-stale");
  var rows = {};
  Array.prototype.forEach.call(root.querySelectorAll(".sittings-seat"), function (row) {
    rows[row.dataset.booking] = row;
  });

  function clock(seconds) {
    if (seconds === null || seconds === undefined || seconds === "") return "—";
    seconds = Math.max(0, Number(seconds));
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function label(state) {
    return root.getAttribute("data-labels-" + state) || state;
  }

  function render(data) {
    Object.keys(data.summary || {}).forEach(function (key) {
      var el = root.querySelector('[data-count="' + key + '"]');
      if (el) el.textContent = String(data.summary[key]);
    });
    (data.seats || []).forEach(function (seat) {
      var row = rows[String(seat.id)];
      if (!row) return;
      row.dataset.state = seat.state;
      row.querySelector('[data-cell="state"]').textContent = label(seat.state);
      row.querySelector('[data-cell="answered"]').textContent = seat.answered + " / " + seat.questions;
      var left = row.querySelector('[data-cell="left"]');
      left.dataset.seconds = seat.seconds_left === null ? "" : String(seat.seconds_left);
      left.textContent = clock(seat.seconds_left);
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        staleEl.hidden = true;
        render(data);
      })
      .catch(function () {
        staleEl.textContent = root.dataset.stale;
        staleEl.hidden = false;
      });
  }

  function tick() {
    Object.keys(rows).forEach(function (id) {
      var row = rows[id];
      if (row.dataset.state !== "in_progress") return;
      var left = row.querySelector('[data-cell="left"]');
      if (left.dataset.seconds === "") return;
      var seconds = Math.max(0, Number(left.dataset.seconds) - 1);
      left.dataset.seconds = String(seconds);
      left.textContent = clock(seconds);
    });
  }

  window.setInterval(tick, 1000);
  window.setInterval(poll, 5000);
})();
