// The resend button counts down the seconds the server said to wait (data-countdown).
// Without JavaScript the button is simply disabled until the page is reloaded.
(function () {
  "use strict";
  document.querySelectorAll("[data-countdown]").forEach(function (button) {
    var left = parseInt(button.getAttribute("data-countdown"), 10) || 0;
    var label = button.getAttribute("data-label");
    var waiting = button.getAttribute("data-waiting");
    function tick() {
      if (left <= 0) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        button.textContent = label;
        return;
      }
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
      button.textContent = waiting.replace("%(seconds)s", left);
      left -= 1;
      window.setTimeout(tick, 1000);
    }
    tick();
  });
})();
