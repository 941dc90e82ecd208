"""The HTML report in a real headless browser (Debian chromium via Playwright), offline.

Run ``scripts/setup-browser.sh`` first. The page is opened from file://; every request that is
not a file:// URL is aborted and counted, so the test proves the report needs no network.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from tests.helpers import KEY_TEXT, TEST_UTILITY, with_utility

from craftveil.cli.demo import demo_policy_text
from craftveil.datagen import GeneratorConfig, generate
from craftveil.pipeline import release

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "build" / "browser"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    generate(root / "data", GeneratorConfig(n_sales=6_000, n_vendors=100, seed=3))
    (root / "policy.yaml").write_text(
        with_utility(demo_policy_text(), TEST_UTILITY), encoding="utf-8"
    )
    (root / "secret.key").write_text(KEY_TEXT + "\n", encoding="utf-8")
    result = release(
        root / "policy.yaml", root / "release", created_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    return result.directory / "report.html"


@pytest.mark.browser
def test_report_loads_offline_without_errors_and_every_chart_renders(report: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("chromium not installed — run scripts/setup-browser.sh")
    errors: list[str] = []
    remote: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def block(route, request) -> None:  # type: ignore[no-untyped-def]
            if request.url.startswith("file://"):
                route.continue_()
            else:
                remote.append(request.url)
                route.abort()

        page.route("**/*", block)
        page.goto(report.as_uri())
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.chart')]"
            ".every(c => c.querySelector('svg, canvas') || c.textContent.includes('failed'))",
            timeout=30_000,
        )
        charts = page.eval_on_selector_all(
            "div.chart",
            "els => els.map(e => [e.id, e.querySelectorAll('svg, canvas').length,"
            " e.getBoundingClientRect().height])",
        )
        marks = page.eval_on_selector_all(
            "div.chart svg .mark-line path, div.chart svg .mark-rect path", "els => els.length"
        )
        sections = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.locator("#utility").screenshot(path=str(SCREENSHOT_DIR / "report-utility.png"))
        page.screenshot(path=str(SCREENSHOT_DIR / "report-top.png"))
        if "dp" in sections:
            page.locator("#dp").screenshot(path=str(SCREENSHOT_DIR / "report-dp.png"))
        browser.close()
    assert errors == []
    assert remote == []
    assert len(charts) == 4  # seasonality, shares, price bands, forecast
    for chart_id, rendered, height in charts:
        assert rendered >= 1, chart_id
        assert height > 100, chart_id
    assert marks > 0
    assert {"summary", "mask", "risk", "utility", "governance", "lineage"} <= set(sections)
    shutil.copy(report, SCREENSHOT_DIR / "report.html")
