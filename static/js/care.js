/* 关怀版 (care mode) switch and 朗读 (reading aloud), on every page.
 *
 * Care mode: the head script (lms/static/lms/care-boot.js) has already put
 * "care" on <html> from what this device remembers; this file wires the
 * switches ([data-care-switch]) and remembers the choice (local storage, or a
 * cookie where storage is refused). The HTML is the same for everyone.
 *
 * Reading aloud: a button [data-read-aloud="ID"] reads the visible parts
 * ([data-read-part]) of the element #ID with the browser's speech synthesis,
 * in a voice of the page's language (Mandarin, zh-CN, on Chinese pages). The
 * buttons stay hidden where the phone has no such voice (voices load late:
 * "voiceschanged"). Only what is rendered on screen is read: hidden parts are
 * skipped. Anyone may stop it with a "read-aloud:stop" event on document (the
 * exam does, when the worker moves to another question).
 */
(function () {
  "use strict";

  var root = document.documentElement;
  var KEY = "care";

  // --- care mode ------------------------------------------------------------

  function remember(on) {
    var value = on ? "1" : "0";
    try {
      window.localStorage.setItem(KEY, value);
      document.cookie = KEY + "=; path=/; max-age=0; SameSite=Lax";
    } catch (e) {
      document.cookie = KEY + "=" + value + "; path=/; max-age=31536000; SameSite=Lax" +
        (window.location.protocol === "https:" ? "; Secure" : "");
    }
  }

  function setCare(on) {
    root.classList.toggle("care", on);
    remember(on);
    showSubtitles();
    document.dispatchEvent(new CustomEvent("care:change", { detail: { on: on } }));
  }

  // "?care=1" / "?care=0" in the address (a printed link, a test) is remembered too.
  var asked = /[?&]care=([01])/.exec(window.location.search);
  if (asked) remember(asked[1] === "1");

  Array.prototype.forEach.call(document.querySelectorAll("[data-care-switch]"), function (button) {
    button.addEventListener("click", function () {
      setCare(!root.classList.contains("care"));
      button.focus();
    });
  });

  // Lesson videos: the editor's subtitles are shown by default in care mode.
  function showSubtitles() {
    var on = root.classList.contains("care");
    Array.prototype.forEach.call(document.querySelectorAll("video[data-subtitled]"), function (video) {
      Array.prototype.forEach.call(video.textTracks || [], function (track) {
        if (track.kind === "subtitles" || track.kind === "captions") {
          if (on) track.mode = "showing";
          else if (track.mode === "showing" && video.dataset.subtitlesByCare === "1") track.mode = "disabled";
        }
      });
      video.dataset.subtitlesByCare = on ? "1" : "";
    });
  }
  showSubtitles();

  // --- reading aloud -----------------------------------------------------------

  var synth = window.speechSynthesis;
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-read-aloud]"));
  if (!buttons.length || !synth || !window.SpeechSynthesisUtterance) return;

  var chinese = /^zh/i.test(root.lang || "");
  var voice = null;
  var speaking = null; // the button whose text is being read

  function pickVoice() {
    var voices = synth.getVoices() || [];
    var wanted = chinese ? /^(zh([-_](cn|hans)([-_].*)?)?|cmn([-_].*)?)$/i : /^en([-_].*)?$/i;
    var found = null;
    for (var i = 0; i < voices.length; i++) {
      var lang = String(voices[i].lang || "");
      if (wanted.test(lang) && !/hk|tw|hant|yue/i.test(lang)) {
        if (!found || /cn/i.test(lang)) found = voices[i];
      }
    }
    return found;
  }

  function refreshVoices() {
    voice = pickVoice();
    buttons.forEach(function (button) { button.hidden = !voice; });
    if (!voice) stop();
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  /* The lines to read: the visible parts of the target, in page order. */
  function linesOf(target) {
    var parts = target.querySelectorAll("[data-read-part]");
    var lines = [];
    Array.prototype.forEach.call(parts, function (part) {
      if (!visible(part)) return;
      // Icons beside words (aria-hidden) are not read: hidden for the synchronous
      // moment innerText takes, so nothing is painted meanwhile.
      var icons = Array.prototype.slice.call(part.querySelectorAll('[aria-hidden="true"]'));
      icons.forEach(function (icon) { icon.style.setProperty("display", "none", "important"); });
      var text = part.innerText || "";
      icons.forEach(function (icon) { icon.style.removeProperty("display"); });
      if (part.getAttribute("data-read-part") === "line") {
        lines.push(text.replace(/\s*\n\s*/g, "，"));
      } else {
        lines.push.apply(lines, text.split(/\n+/));
      }
    });
    return lines.map(function (line) { return line.replace(/\s+/g, " ").trim(); })
      .filter(function (line) { return line.length > 0; });
  }

  function setState(button, on) {
    button.classList.toggle("read-aloud--speaking", on);
  }

  function stop() {
    var was = speaking;
    if (was) setState(was, false);
    speaking = null;
    if (was || synth.speaking || synth.pending) synth.cancel();
  }

  function read(button) {
    var target = document.getElementById(button.getAttribute("data-read-aloud"));
    if (!target || !voice) return;
    stop();
    var lines = linesOf(target);
    if (!lines.length) return;
    speaking = button;
    setState(button, true);
    // One utterance a line: natural pauses, and no long utterance cut off by the engine.
    lines.forEach(function (line, i) {
      var utterance = new window.SpeechSynthesisUtterance(line);
      utterance.lang = chinese ? "zh-CN" : "en";
      try {
        utterance.voice = voice;
      } catch (e) { /* not a platform voice object: the language alone chooses one */ }
      utterance.rate = root.classList.contains("care") ? 0.85 : 0.95;
      if (i === lines.length - 1) {
        utterance.onend = utterance.onerror = function () {
          if (speaking === button) {
            setState(button, false);
            speaking = null;
          }
        };
      }
      synth.speak(utterance);
    });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      if (speaking === button) stop();
      else read(button);
    });
  });
  document.addEventListener("read-aloud:stop", stop);
  window.addEventListener("pagehide", stop);
  if (synth.addEventListener) synth.addEventListener("voiceschanged", refreshVoices);
  else synth.onvoiceschanged = refreshVoices;
  refreshVoices();
})();
