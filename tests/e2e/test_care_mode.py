"""关怀版 and reading aloud on a 360×740 phone: the mode is remembered and painted first,
the demo exam is taken with the keyboard alone, and 朗读 reads what the screen shows.

speechSynthesis is stubbed in the page (headless Chromium has no voices): the
stub records what would be spoken, and offers the voices each step asks for.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from cms.services import home_page_ensure
from exams.models import Attempt
from tests.courses.factories import LessonPageFactory, text_body
from tests.e2e.a11y import set_care
from tests.e2e.steps import sign_in_worker
from tests.trust import factories as trust

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ZH = [{"lang": "zh-CN", "name": "普通话（中国大陆）"}]
EN = [{"lang": "en-US", "name": "English (US)"}]

# Records which classes <html> had when <body> was first inserted, and the computed style at
# the first animation frame: both come before the first paint of the page.
FIRST_PAINT_PROBE = """
window.__probe = {};
new MutationObserver(function (records, observer) {
  if (document.body) {
    window.__probe.classAtBody = document.documentElement.className;
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
requestAnimationFrame(function () {
  var body = document.body;
  window.__probe.classAtFirstFrame = document.documentElement.className;
  window.__probe.fontAtFirstFrame = body ? parseFloat(getComputedStyle(body).fontSize) : null;
});
"""


SPEECH_STUB = """
(function (now, later) {
  var voices = now, listeners = [];
  window.__spoken = [];
  window.__cancels = 0;
  var synth = {
    speaking: false, pending: false, paused: false, onvoiceschanged: null,
    getVoices: function () { return voices; },
    speak: function (u) {
      window.__spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.lang });
      synth.speaking = true;
    },
    cancel: function () { window.__cancels += 1; synth.speaking = false; },
    pause: function () {}, resume: function () {},
    addEventListener: function (type, fn) { if (type === "voiceschanged") listeners.push(fn); }
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  if (later) {
    setTimeout(function () {
      voices = later;
      listeners.forEach(function (fn) { fn(new Event("voiceschanged")); });
      if (synth.onvoiceschanged) synth.onvoiceschanged(new Event("voiceschanged"));
    }, 300);
  }
})(NOW, LATER);
"""


def speech_stub(now: list[dict], later: list[dict] | None = None) -> str:
    """A speechSynthesis that offers `now` at once and `later` after a moment (voiceschanged)."""
    return SPEECH_STUB.replace("NOW, LATER", f"{json.dumps(now)}, {json.dumps(later)}")


def spoken(page) -> list[str]:
    return [line["text"] for line in page.evaluate("window.__spoken")]


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab (only Tab) until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab")


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def care_metrics(page) -> dict:
    return page.evaluate(
        """() => {
  const px = (el, prop) => parseFloat(getComputedStyle(el)[prop]);
  const body = document.body;
  const p = document.querySelector('.lesson__body p:not([class]):not(:last-child)');
  const small = [];
  const targets = document.querySelectorAll(
    '.site-header a, .site-header button, .site-menu__link, .worker-nav__link, main .button, ' +
    'main button, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main select');
  for (const el of targets) {
    const box = el.getBoundingClientRect();
    if (box.width && box.height && box.height < 47.5) small.push(el.outerHTML.slice(0, 80));
  }
  const moving = [...document.querySelectorAll('*')].filter(
    (el) => getComputedStyle(el).animationName !== 'none' ||
            parseFloat(getComputedStyle(el).transitionDuration) > 0).length;
  return {
    font: px(body, 'fontSize'),
    lineHeight: px(body, 'lineHeight') / px(body, 'fontSize'),
    paragraphGap: p ? px(p, 'marginBottom') / px(p, 'lineHeight') : null,
    small, moving,
  };
}"""
    )


def test_care_mode_is_remembered_and_the_first_paint_is_already_large(
    live_server, page, screenshot
):
    home_page_ensure()
    lesson = LessonPageFactory(
        title="服务规范与职业道德",
        body=[
            *text_body(),
            {
                "type": "text",
                "value": {"text": "<p>进门前先敲门。</p><p>说明来意，出示上门服务证。</p>"},
            },
        ],
    )
    base = live_server.url
    page.goto(base + "/")
    switch = page.locator(".site-header").get_by_role("button", name="关怀版")
    expect(switch).to_be_visible()
    expect(page.locator(".care-callout").get_by_role("button", name="关怀版")).to_be_visible()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 16

    # Switched on with the keyboard: large at once, and the switch now says how to leave.
    switch.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class(re.compile(r"\bcare\b"))
    expect(page.locator(".site-header").get_by_role("button", name="退出关怀版")).to_be_focused()
    assert page.evaluate("localStorage.getItem('care')") == "1"

    # Reloaded, and on another page: care mode is there before the first paint, even with
    # the deferred script (static/js/care.js) refused, so only the head script can have set it.
    page.add_init_script(FIRST_PAINT_PROBE)
    page.route("**/static/js/care.js", lambda route: route.abort())
    page.goto(base + lesson.url, wait_until="domcontentloaded")
    probe = page.evaluate("window.__probe")
    assert "care" in probe["classAtBody"].split()
    page.wait_for_function("window.__probe.classAtFirstFrame !== undefined")
    probe = page.evaluate("window.__probe")
    assert "care" in probe["classAtFirstFrame"].split()
    assert probe["fontAtFirstFrame"] is None or probe["fontAtFirstFrame"] >= 20
    screenshot("care-mode-first-paint-360")
    page.unroute("**/static/js/care.js")

    # MIIT's numbers, measured in the page.
    page.reload()
    metrics = care_metrics(page)
    assert metrics["font"] >= 20
    assert metrics["lineHeight"] >= 1.3
    assert metrics["paragraphGap"] >= 1.3
    assert metrics["small"] == []
    assert metrics["moving"] == 0
    no_overflow(page)
    screenshot("care-mode-lesson-360")

    # One column on the home page; switched off, the small layout comes back and stays.
    page.goto(base + "/")
    no_overflow(page)
    page.locator(".site-header").get_by_role("button", name="退出关怀版").click()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bcare\b"))
    page.reload()
    assert "care" not in page.evaluate("document.documentElement.className")


def test_the_demo_exam_by_keyboard_alone_with_reading_aloud(
    live_server, page, browser, screenshot, sitter
):
    worker, exam = sitter
    base = live_server.url
    page.add_init_script(speech_stub(ZH))
    page.clock.install()
    sign_in_worker(page, base, worker.user.phone, "/me/exams/")
    set_care(page, base, True, "/me/exams/")

    # From the exam's page to its first question with Tab and Enter only.
    page.goto(f"{base}/me/exams/{exam.pk}/")
    tab_to(page, "button.button--primary")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/exams/attempts/*/")
    attempt = Attempt.objects.get(worker=worker)
    clock = page.locator("#exam-clock")
    assert clock.get_attribute("role") == "timer" and clock.get_attribute("aria-live") is None
    assert page.locator("#exam-clock-alert").get_attribute("aria-live") == "polite"

    questions = page.locator(".exam-q")
    total = questions.count()
    for position in range(1, total + 1):
        fieldset = page.locator(f"#q-{position}")
        expect(fieldset).to_be_visible()
        # 朗读: the question as shown, then its options in the order shown.
        tab_to(page, f"#q-{position} .read-aloud")
        page.evaluate("window.__spoken = []")
        page.keyboard.press("Enter")
        shown = fieldset.locator(".exam-choice").all_inner_texts()
        expected = [
            fieldset.locator("legend").inner_text().strip(),
            fieldset.locator(".exam-q__stem").inner_text().strip(),
            *[" ".join(text.split()).replace(" ", "，", 1) for text in shown],
        ]
        expected = [" ".join(line.split()) for line in expected]
        assert spoken(page) == expected
        assert {line["lang"] for line in page.evaluate("window.__spoken")} == {"zh-CN"}
        # Answer with the keyboard: Tab into the choices, Space picks the first.
        tab_to(page, f"#q-{position} input")
        page.keyboard.press("Space")
        expect(page.locator("#exam-sync")).to_have_attribute("data-state", "ok")
        if position < total:
            cancels = page.evaluate("window.__cancels")
            tab_to(page, '#exam-nav [data-action="next"]')
            page.keyboard.press("Enter")
            # Reading stops on moving on, and the keyboard lands on the next question.
            assert page.evaluate("window.__cancels") > cancels
            expect(page.locator(f"#q-{position + 1}")).to_be_focused()
    expect(page.locator("#exam-sync")).to_contain_text(f"{total} / {total}")
    no_overflow(page)
    screenshot("care-mode-exam-keyboard-360")

    # The clock speaks twice in all: at 5 minutes left and at 1 minute left.
    alert = page.locator("#exam-clock-alert")
    assert alert.inner_text() == ""
    page.evaluate(
        """() => { window.__alerts = [];
        new MutationObserver(() => window.__alerts.push(
          document.getElementById('exam-clock-alert').textContent))
        .observe(document.getElementById('exam-clock-alert'),
                 {childList: true, characterData: true, subtree: true}); }"""
    )
    page.clock.fast_forward("25:30")
    expect(alert).to_have_text("剩余时间不到 5 分钟。")
    page.clock.fast_forward("03:30")
    expect(alert).to_have_text("剩余时间不到 1 分钟，请尽快交卷。")
    page.clock.fast_forward("00:05")
    assert page.evaluate("window.__alerts") == [
        "剩余时间不到 5 分钟。",
        "剩余时间不到 1 分钟，请尽快交卷。",
    ]

    # Hand in: Tab to 交卷, Enter, the confirm button has the focus, Enter.
    tab_to(page, "#exam-submit")
    page.keyboard.press("Enter")
    confirm = page.get_by_role("button", name="确定交卷")
    expect(confirm).to_be_focused()
    assert "全部题目都已作答" in page.locator("#exam-confirm-text").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/me/exams/attempts/{attempt.pk}/result/")
    expect(page.locator("#exam-result")).to_contain_text("通过")
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 100

    # The verify page reads its door colour and reasons; no Chinese voice, no button.
    certificate = trust.certificate(worker)
    context = page.context
    late = context.new_page()
    late.add_init_script(speech_stub([], later=ZH))  # voices arrive late, as on phones
    late.goto(f"{base}/v/{certificate.token}/")
    button = late.get_by_role("button", name="朗读查验结果")
    expect(button).to_be_visible()
    button.click()
    lines = spoken(late)
    assert lines[0] == late.locator(".door__label").inner_text()
    assert any("备案已通过" in line for line in lines)
    assert any(late.locator(".status-banner__label").inner_text() in line for line in lines)
    late.close()
    english_only = context.new_page()
    english_only.add_init_script(speech_stub(EN))
    english_only.goto(f"{base}/v/{certificate.token}/")
    english_only.wait_for_timeout(300)
    expect(english_only.locator(".read-aloud")).to_be_hidden()
    english_only.close()
