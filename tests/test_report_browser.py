"""The HTML report as a person sees it, in headless Chromium (skipped where Chromium is absent).

Needs Debian's chromium and chromium-driver packages (`.ci/run` installs them) and selenium (in the
test extra). A screenshot is kept in tests/artifacts/ (or $SHIPSCREEN_ARTIFACTS).
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Screener
from engine.io.csvreader import ShipmentReader
from engine.io.outputs import open_writer
from engine.scale.pool import screen_rows
from tests.conftest import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("SHIPSCREEN_ARTIFACTS", REPO / "tests" / "artifacts"))
SCRIPT = "<script>document.title='pwned';window.pwned=1</script>"
FORMULA = '=HYPERLINK("http://evil.example/","click me")'
IMAGE = '<img src=x onerror="window.pwned=2">'


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM or not DRIVER:
        pytest.skip(
            "Chromium and chromedriver are not installed (Debian: chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    src = tmp / "shipments.csv"
    shutil.copy(REPO / "examples" / "shipments.csv", src)
    with src.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        row = {
            "shipment_id": "EVIL-1",
            "consignee": SCRIPT,
            "consignee_country": "Russia",
            "shipper": FORMULA,
            "hs_code": "8542.31",
            "description": IMAGE,
        }
        with (REPO / "examples" / "shipments.csv").open(encoding="utf-8") as header:
            columns = next(csv.reader(header))
        writer.writerow([row.get(c, "") for c in columns])
    out = tmp / "report.html"
    with ShipmentReader(src) as reader:
        writer_ = open_writer(
            out,
            "html",
            reader.header,
            run={
                "input": str(src),
                "version": "test",
                "ruleset_digest": "0" * 64,
                "catalogue_digest": "1" * 64,
                "lists": [],
            },
        )
        screen_rows(Screener.default(), reader, [writer_])
    return out


def test_the_report_needs_no_network(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "default-src 'none'" in html  # the browser may fetch nothing
    assert " src=" not in html.replace(" src=x", "")  # no external resources referenced
    assert "<link" not in html


def test_what_a_person_sees(browser: Any, report: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report.as_uri())
    assert browser.title == "shipscreen report"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Shipments by band" in body
    assert "20 of 20 shipments shown" in body
    rows = browser.find_elements(By.CSS_SELECTOR, "#by-band tbody tr")
    counts = {
        r.find_elements(By.TAG_NAME, "td")[0].text.lower(): r.find_elements(By.TAG_NAME, "td")[
            1
        ].text
        for r in rows
    }
    assert counts == {"critical": "3", "high": "7", "medium": "6", "low": "3", "error": "1"}
    articles = browser.find_elements(By.CSS_SELECTOR, "article.shipment")
    bands = [a.get_attribute("data-band") for a in articles]
    assert bands == sorted(bands, key=["critical", "high", "medium", "error", "low"].index)
    assert articles[0].find_element(By.CSS_SELECTOR, ".badge").text == "CRITICAL"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report.png"))


def test_hostile_input_shows_as_text(browser: Any, report: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report.as_uri())
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.title == "shipscreen report"
    evil = browser.find_element(By.CSS_SELECTOR, 'article[data-text*="evil-1"]')
    text = evil.text
    assert SCRIPT in text
    assert FORMULA in text
    assert IMAGE in text
    assert evil.find_elements(By.TAG_NAME, "script") == []
    assert evil.find_elements(By.TAG_NAME, "img") == []


def test_filters_and_search(browser: Any, report: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(report.as_uri())

    def visible() -> list[str]:
        return [
            a.get_attribute("data-band")
            for a in browser.find_elements(By.CSS_SELECTOR, "article.shipment")
            if a.is_displayed()
        ]

    for band in ("low", "medium", "error"):
        browser.find_element(By.CSS_SELECTOR, f'#controls input[value="{band}"]').click()
    assert set(visible()) == {"critical", "high"}
    assert "10 of 20 shipments shown" in browser.find_element(By.ID, "shown").text
    Select(browser.find_element(By.ID, "rule")).select_by_value("sanctioned-party")
    assert len(visible()) == 2
    browser.get(report.as_uri() + "#q=hikvision")
    browser.refresh()
    assert len(visible()) == 2  # a Hikvision shipper, and Hikvision as consignee
    browser.get(report.as_uri())
    browser.refresh()
    browser.find_element(By.CSS_SELECTOR, '[data-show-band="medium"]').click()
    assert visible() == ["medium"] * 6
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report-filtered.png"))
