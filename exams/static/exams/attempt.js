/* The exam client: one question at a time, autosave, offline queue, server-synced countdown.
 *
 * Enhances the server-rendered form on /me/exams/attempts/<id>/ (which works
 * without this script). Rules it keeps:
 * - The server's clock decides. The countdown is the server's deadline minus
 *   the server's time, re-synced from every API answer; the phone's clock only
 *   ticks between answers.
 * - Every choice gets the next sequence number and is queued in localStorage
 *   before it is sent, so a reload, a crash or a dead network loses nothing;
 *   the queue is sent on reconnect. The server keeps the highest number, so a
 *   late retry never overwrites a newer answer.
 * - After time-up the server refuses saves; the page shows the time-up screen.
 * - Keyboard and screen readers: moving to a question focuses it; the clock
 *   ticks silently and a polite live line says only "5 minutes left" and
 *   "1 minute left"; reading aloud (static/js/care.js) stops on every move.
 */
(function () {
  "use strict";

  var root = document.getElementById("exam");
  if (!root || !window.fetch || !window.JSON) return;

  var attemptId = root.dataset.attempt;
  var urls = {
    questions: root.dataset.questionsUrl,
    answer: root.dataset.answerUrl,
    submit: root.dataset.submitUrl,
    result: root.dataset.resultUrl
  };
  var form = document.getElementById("exam-form");
  var clockEl = document.getElementById("exam-clock");
  var clockAlert = document.getElementById("exam-clock-alert");
  var syncEl = document.getElementById("exam-sync");
  var mapEl = document.getElementById("exam-map");
  var navEl = document.getElementById("exam-nav");
  var confirmEl = document.getElementById("exam-confirm");
  var confirmText = document.getElementById("exam-confirm-text");
  var submitBtn = document.getElementById("exam-submit");
  var timeupEl = document.getElementById("exam-timeup");
  var timeupText = document.getElementById("exam-timeup-text");
  var msg = document.getElementById("exam-messages").dataset;
  var csrf = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var fieldsets = Array.prototype.slice.call(form.querySelectorAll(".exam-q"));
  var total = fieldsets.length;

  var QUEUE_KEY = "exam-queue-" + attemptId;
  var SEQ_KEY = "exam-seq-" + attemptId;
  var POS_KEY = "exam-pos-" + attemptId;

  var deadline = Date.parse(root.dataset.deadline);
  var offset = Date.parse(root.dataset.serverNow) - Date.now(); // server time - phone time
  var finished = false;
  var sending = false;
  var retryTimer = null;
  var current = 0;
  var warned = Infinity; // the smallest "time left" warning already given, in seconds
  var saved = {}; // position -> true when the server holds an answer
  // position -> {seq, selected} the server acknowledged on this page: a state the server
  // read before that save landed (a slow sync) must not undo it on screen.
  var acked = {};
  var invalid = false;
  var paused = false; // a proctor paused the attempt (supervised sittings): the clock stands still
  var pollTimer = null;
  var checking = false;

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) {
      return values[name] === undefined ? "" : values[name];
    });
  }

  // --- storage -------------------------------------------------------------

  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function store(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* private mode: the in-memory queue still works until reload */ }
  }
  var queue = load(QUEUE_KEY, {}); // position -> {selected: [...], seq: n}
  var seq = Math.max(load(SEQ_KEY, 0), parseInt(root.dataset.lastSeq, 10) || 0);

  function nextSeq() {
    seq += 1;
    store(SEQ_KEY, seq);
    return seq;
  }
  function saveQueue() {
    store(QUEUE_KEY, queue);
  }
  function pendingCount() {
    return Object.keys(queue).length;
  }

  // --- the DOM -------------------------------------------------------------

  function fieldsetAt(position) {
    return form.querySelector('.exam-q[data-position="' + position + '"]');
  }
  function selectionOf(fs) {
    return Array.prototype.slice
      .call(fs.querySelectorAll("input:checked"))
      .map(function (input) { return input.value; })
      .sort();
  }
  function showSelection(position, selected) {
    var fs = fieldsetAt(position);
    if (!fs) return;
    Array.prototype.forEach.call(fs.querySelectorAll("input"), function (input) {
      input.checked = selected.indexOf(input.value) !== -1;
    });
  }
  function answeredCount() {
    return fieldsets.filter(function (fs) { return selectionOf(fs).length > 0; }).length;
  }

  function renderMap() {
    Array.prototype.forEach.call(mapEl.querySelectorAll(".exam-map__item"), function (item, i) {
      var position = item.dataset.position;
      var fs = fieldsets[i];
      item.classList.toggle("exam-map__item--current", i === current);
      item.classList.toggle("exam-map__item--answered", selectionOf(fs).length > 0);
      var pending = Object.prototype.hasOwnProperty.call(queue, position);
      item.classList.toggle("exam-map__item--pending", pending);
      var label = pending ? msg.mapPending : (selectionOf(fs).length ? msg.mapAnswered : msg.mapUnanswered);
      item.setAttribute("aria-label", fmt(label, { n: position }));
      if (i === current) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
  }

  function renderSync() {
    var count = pendingCount();
    var state;
    if (invalid) {
      state = "bad";
      syncEl.textContent = msg.invalid;
    } else if (count && !navigator.onLine) {
      state = "bad";
      syncEl.textContent = fmt(msg.offline, { count: count });
    } else if (count && sending) {
      state = "busy";
      syncEl.textContent = msg.saving;
    } else if (count) {
      state = "warn";
      syncEl.textContent = fmt(msg.waiting, { count: count });
    } else {
      state = "ok";
      syncEl.textContent = fmt(msg.saved, { saved: Object.keys(saved).length, total: total });
    }
    syncEl.className = "exam-sync exam-sync--" + state;
    syncEl.dataset.state = state;
    syncEl.dataset.pending = String(count);
    renderMap();
  }

  /* Show one question; `focus` moves the keyboard there (after a move, not on load). */
  function show(index, focus) {
    var moved = index !== current;
    current = Math.max(0, Math.min(total - 1, index));
    // Reading aloud never goes on about a question that is no longer on screen.
    if (moved) document.dispatchEvent(new CustomEvent("read-aloud:stop"));
    fieldsets.forEach(function (fs, i) { fs.hidden = i !== current; });
    navEl.querySelector('[data-action="prev"]').disabled = current === 0;
    navEl.querySelector('[data-action="next"]').disabled = current === total - 1;
    store(POS_KEY, current);
    renderMap();
    if (focus) fieldsets[current].focus();
  }

  // --- the clock -----------------------------------------------------------

  function resync(data) {
    if (!data) return;
    if (data.deadline) deadline = Date.parse(data.deadline);
    if (data.server_now) offset = Date.parse(data.server_now) - Date.now();
    if (data.paused !== undefined && data.paused !== null) paused = !!data.paused;
    // While paused, ask the server every 5 s whether the proctor resumed.
    if (paused && !pollTimer) {
      pollTimer = window.setTimeout(function () { pollTimer = null; sync(); }, 5000);
    }
    if (data.status && data.status !== "in_progress") timeUp(msg.finished);
  }
  /* At zero on this clock, ask the server's (a proctor may have given more time) before
     giving up; without an answer, the time is up. */
  function checkTime() {
    if (checking) return;
    checking = true;
    api("GET", urls.questions).then(function (res) {
      checking = false;
      if (res.status === 200) resync(res.data);
      if (!paused && secondsLeft() <= 0) timeUp(msg.timeup);
    }, function () {
      checking = false;
      timeUp(msg.timeup);
    });
  }
  function secondsLeft() {
    return Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
  }
  function tick() {
    if (finished) return;
    if (paused) {
      clockEl.textContent = msg.paused;
      return;
    }
    var left = secondsLeft();
    var h = Math.floor(left / 3600);
    var m = Math.floor((left % 3600) / 60);
    var s = left % 60;
    var text = (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
    clockEl.textContent = fmt(msg.left, { time: text });
    clockEl.classList.toggle("exam-clock--low", left <= 60);
    // Announced once each, politely: the last 5 minutes and the last minute.
    var warning = left <= 60 ? 60 : left <= 300 ? 300 : Infinity;
    if (left > 0 && warning < warned) {
      warned = warning;
      clockAlert.textContent = warning === 60 ? msg.leftOne : msg.leftFive;
    }
    if (left <= 0) {
      checkTime();
    }
  }

  // --- talking to the server ------------------------------------------------

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().then(
        function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: {} }; }
      );
    });
  }

  function scheduleRetry() {
    if (retryTimer || finished) return;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, 5000);
  }

  /* Send the queued answers, oldest sequence number first, one at a time. */
  function flush() {
    if (sending) return;
    var positions = Object.keys(queue).sort(function (a, b) { return queue[a].seq - queue[b].seq; });
    if (!positions.length) {
      renderSync();
      return;
    }
    if (!navigator.onLine) {
      renderSync();
      return;
    }
    var position = positions[0];
    var item = queue[position];
    sending = true;
    renderSync();
    api("PUT", urls.answer + position, { selected: item.selected, seq: item.seq, client_time: new Date().toISOString() })
      .then(function (res) {
        sending = false;
        resync(res.data);
        var still = queue[position] && queue[position].seq === item.seq;
        if (res.status === 200) {
          if (still) delete queue[position];
          acked[position] = { seq: res.data.seq, selected: res.data.selected || [] };
          if (res.data.selected && res.data.selected.length) saved[position] = true;
          else delete saved[position];
          // A newer answer from another phone is kept by the server: show it.
          if (res.data.outcome === "stale" && !queue[position]) showSelection(position, res.data.selected);
          invalid = false;
        } else if (res.status === 409 && res.data.code === "paused") {
          // Kept here and sent again once the proctor resumes the attempt.
          renderSync();
          scheduleRetry();
          return;
        } else if (res.status === 409) {
          queue = {};
          saveQueue();
          if (res.data.code === "attempt_ended") {
            document.getElementById("exam-timeup-title").textContent = msg.ended;
          }
          timeUp(res.data.code === "time_up" ? msg.timeup : res.data.code === "attempt_ended" ? res.data.detail : msg.finished);
          return;
        } else if (res.status === 422) {
          if (still) delete queue[position];
          invalid = true;
        } else if (res.status === 401 || res.status === 403) {
          window.location.reload();
          return;
        } else {
          saveQueue();
          renderSync();
          scheduleRetry();
          return;
        }
        saveQueue();
        renderSync();
        flush();
      })
      .catch(function () {
        sending = false;
        renderSync();
        scheduleRetry();
      });
  }

  function onChoice(event) {
    var fs = event.target.closest(".exam-q");
    if (!fs || finished) return;
    var position = fs.dataset.position;
    queue[position] = { selected: selectionOf(fs), seq: nextSeq() };
    saveQueue();
    invalid = false;
    renderSync();
    flush();
  }

  /* Bring the page in line with the server, keeping answers still queued here. */
  function sync() {
    api("GET", urls.questions).then(function (res) {
      if (res.status !== 200) return;
      resync(res.data);
      seq = Math.max(seq, res.data.last_seq || 0);
      store(SEQ_KEY, seq);
      var answers = res.data.answers || {};
      saved = {};
      Object.keys(acked).forEach(function (position) {
        // Acknowledged after the server read this state: the acknowledgement is newer.
        var answer = answers[position];
        if ((!answer || answer.seq < acked[position].seq) && acked[position].selected.length) {
          saved[position] = true;
        }
      });
      Object.keys(answers).forEach(function (position) {
        var answer = answers[position];
        var local = queue[position];
        if (local && local.seq > answer.seq) return; // newer here: still to be sent
        if (acked[position] && acked[position].seq > answer.seq) return; // saved since
        if (local) delete queue[position];
        if (answer.selected.length) saved[position] = true;
        showSelection(position, answer.selected);
      });
      saveQueue();
      renderSync();
      flush();
    }).catch(function () { renderSync(); });
  }

  // --- time-up and submitting --------------------------------------------------

  function goToResult() {
    window.location.assign(urls.result);
  }

  function timeUp(text) {
    if (finished) return;
    finished = true;
    form.hidden = true;
    mapEl.hidden = true;
    confirmEl.hidden = true;
    timeupEl.hidden = false;
    timeupText.textContent = text;
    document.dispatchEvent(new CustomEvent("read-aloud:stop"));
    document.getElementById("exam-timeup-title").focus();
    clockEl.textContent = fmt(msg.left, { time: "0:00" });
    // Answers still queued may land within the server's grace; then ask it to
    // grade (once, however often asked). Offline, the server's sweeper grades it.
    waitForQueue(function () {
      api("POST", urls.submit).then(function (res) {
        if (res.status === 200) {
          store(QUEUE_KEY, {});
          goToResult();
        }
      }).catch(function () { /* graded by the server's sweeper */ });
    });
  }

  function askToSubmit(event) {
    event.preventDefault();
    if (finished) return;
    var missing = total - answeredCount();
    confirmText.textContent = missing ? fmt(msg.confirmMissing, { count: missing }) : msg.confirmAll;
    confirmEl.hidden = false;
    submitBtn.hidden = true;
    confirmEl.querySelector('[data-action="confirm-submit"]').focus();
  }

  function submitNow() {
    if (!navigator.onLine) {
      confirmText.textContent = msg.offlineSubmit;
      return;
    }
    confirmText.textContent = msg.submitting;
    var buttons = confirmEl.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    waitForQueue(function () {
      api("POST", urls.submit).then(function (res) {
        if (res.status === 200) {
          finished = true;
          store(QUEUE_KEY, {});
          goToResult();
        } else {
          Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
          confirmText.textContent = msg.offlineSubmit;
        }
      }).catch(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        confirmText.textContent = msg.offlineSubmit;
      });
    });
  }

  function waitForQueue(done, tries) {
    tries = tries || 0;
    if (!pendingCount() || tries > 40) return done();
    flush();
    window.setTimeout(function () { waitForQueue(done, tries + 1); }, 250);
  }

  // --- wiring ---------------------------------------------------------------

  form.addEventListener("change", onChoice);
  form.addEventListener("submit", askToSubmit);
  navEl.addEventListener("click", function (event) {
    var action = event.target.dataset.action;
    if (action === "prev") show(current - 1, true);
    if (action === "next") show(current + 1, true);
  });
  confirmEl.addEventListener("click", function (event) {
    var action = event.target.dataset.action;
    if (action === "confirm-submit") submitNow();
    if (action === "cancel-submit") {
      confirmEl.hidden = true;
      submitBtn.hidden = false;
      submitBtn.focus();
    }
  });
  mapEl.addEventListener("click", function (event) {
    var item = event.target.closest(".exam-map__item");
    if (!item) return;
    event.preventDefault();
    show(fieldsets.indexOf(fieldsetAt(item.dataset.position)), true);
  });
  window.addEventListener("online", function () { renderSync(); flush(); sync(); });
  window.addEventListener("offline", renderSync);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !finished) sync();
  });

  // Queued answers from before a reload are shown at once, then sent.
  Object.keys(queue).forEach(function (position) { showSelection(position, queue[position].selected); });
  fieldsets.forEach(function (fs) {
    if (selectionOf(fs).length) saved[fs.dataset.position] = true;
  });
  Object.keys(queue).forEach(function (position) { delete saved[position]; });
  root.classList.add("exam--enhanced");
  navEl.hidden = false;
  var hash = window.location.hash.match(/^#q-(\d+)$/);
  show(hash ? fieldsets.indexOf(fieldsetAt(hash[1])) : load(POS_KEY, 0));
  tick();
  window.setInterval(tick, 1000);
  renderSync();
  sync();
})();
