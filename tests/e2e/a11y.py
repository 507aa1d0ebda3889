"""Accessibility steps the browser tests share: axe-core on a page, care mode on or off."""

from axe_playwright_python.sync_playwright import Axe

#: axe-core's impacts that fail a page (GB/T 37668 ≈ WCAG 2.0 AA; minor and moderate are reported).
FAILING = ("serious", "critical")

_axe = Axe()


def axe_violations(page) -> list[dict]:
    """The serious and critical axe-core violations on the page as it is now."""
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v["impact"] in FAILING]


def describe(violations: list[dict]) -> str:
    """One line per violation and element: rule, impact, target, and axe's help text."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}) {node['target']}: {violation['help']}"
            )
    return "\n".join(lines)


def set_care(page, base: str, on: bool, path: str = "/") -> None:
    """Turn care mode on or off for this browser (the address form the head script respects)."""
    page.goto(f"{base}{path}?care={'1' if on else '0'}")
    has_care = page.evaluate("document.documentElement.classList.contains('care')")
    assert has_care is on
