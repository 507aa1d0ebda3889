/* Lesson page enhancements. The page works without this file; it adds:
   - self-check: one open answer at a time, and the explanation after answering;
   - video: an embedded player loads only when tapped;
   - progress reports (time on the page, the video seconds actually played),
     which the server checks against the clock before counting them. */
(function () {
  "use strict";

  var lesson = document.getElementById("lesson");
  var progressUrl = lesson && lesson.getAttribute("data-progress-url");
  var doneForm = document.querySelector("[data-done-form]");
  var csrf = doneForm && doneForm.querySelector("input[name=csrfmiddlewaretoken]");
  var HEARTBEAT_MS = 30000;

  /* Self-check questions */
  Array.prototype.forEach.call(document.querySelectorAll("[data-self-check]"), function (box) {
    var choices = box.querySelectorAll(".self-check__choice");
    var explanation = box.querySelector("[data-self-check-explanation]");
    Array.prototype.forEach.call(choices, function (choice) {
      choice.addEventListener("toggle", function () {
        if (!choice.open) { return; }
        Array.prototype.forEach.call(choices, function (other) {
          if (other !== choice) { other.open = false; }
        });
        box.classList.add("self-check--answered");
        if (explanation) { explanation.open = true; }
      });
    });
  });

  /* Video: what the browser has played, as [[start, end], …] seconds */
  var video = document.querySelector("[data-video-upload]");
  var embed = document.querySelector("[data-video-embed]");
  var embedSeconds = 0;
  var embedTimer = null;

  function playedRanges() {
    var ranges = [];
    if (video && video.played) {
      for (var i = 0; i < video.played.length; i++) {
        ranges.push([video.played.start(i), video.played.end(i)]);
      }
    } else if (embedSeconds > 0) {
      /* A third-party player cannot be observed: count the time it is open and visible. */
      ranges.push([0, embedSeconds]);
    }
    return ranges;
  }

  if (embed) {
    var link = embed.querySelector("a");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.className = "lesson-video__frame";
      frame.src = embed.getAttribute("data-player-url");
      frame.setAttribute("allowfullscreen", "");
      frame.setAttribute("allow", "fullscreen; picture-in-picture");
      frame.setAttribute("title", link.textContent.replace(/^\W+/, ""));
      embed.replaceChildren(frame);
      embedTimer = window.setInterval(function () {
        if (document.visibilityState === "visible") { embedSeconds += 1; }
      }, 1000);
      report();
    });
  }

  /* Progress reports */
  var doneButton = document.querySelector("[data-done-button]");
  var videoNote = document.querySelector("[data-video-note]");

  function formData() {
    var data = new FormData();
    if (csrf) { data.append("csrfmiddlewaretoken", csrf.value); }
    data.append("ranges", JSON.stringify(playedRanges()));
    return data;
  }

  function showState(state) {
    if (!state || !doneButton || !videoNote) { return; }
    if (state.can_complete) {
      videoNote.hidden = true;
      doneButton.removeAttribute("aria-disabled");
    } else {
      doneButton.setAttribute("aria-disabled", "true");
    }
  }

  function report() {
    if (!progressUrl || !window.fetch) { return; }
    window.fetch(progressUrl, {
      method: "POST",
      body: formData(),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(showState).catch(function () { /* offline: the next report catches up */ });
  }

  if (progressUrl) {
    if (videoNote && doneButton) { doneButton.setAttribute("aria-disabled", "true"); }
    window.setInterval(function () {
      if (document.visibilityState === "visible") { report(); }
    }, HEARTBEAT_MS);
    if (video) {
      video.addEventListener("pause", report);
      video.addEventListener("ended", report);
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && navigator.sendBeacon) {
        navigator.sendBeacon(progressUrl, formData());
      }
    });
    if (doneForm && videoNote) {
      doneForm.addEventListener("submit", function (event) {
        if (doneButton.getAttribute("aria-disabled") === "true") {
          /* Let the server decide with fresh numbers: report first, then submit. */
          event.preventDefault();
          window.fetch(progressUrl, { method: "POST", body: formData(), credentials: "same-origin" })
            .finally(function () { doneForm.submit(); });
        }
      });
    }
  }
  window.addEventListener("pagehide", function () {
    if (embedTimer) { window.clearInterval(embedTimer); }
  });
})();
