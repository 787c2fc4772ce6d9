"""The landing pages in a real headless browser (Chromium): what a customer sees after a click, in their
language, usable without a mouse (labels tied to fields), no scripts, and nothing they typed run as markup.

Skipped, with the reason, when no Chromium is installed (``apt-get install -y chromium``). With
``LANDING_PAGE_SCREENSHOTS=dir`` each page is also saved there as a phone-sized screenshot to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from outreach_lambda.domain.links import Action
from outreach_lambda.pages.render import html
from outreach_lambda.services.actions import Page

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium here (apt-get install -y chromium)"),
]
NOW = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)

PAGES = {
    "confirm_address_en_gb": Page("confirm", 200, "en-GB", Action.CONFIRM_ADDRESS),
    "change_address_de_de_errors": Page(
        "confirm",
        400,
        "de-DE",
        Action.CHANGE_ADDRESS,
        values={"line1": "<img src=x onerror=alert(1)>", "city": "", "postalCode": "10115", "country": "DE"},
        errors=[("city", "blank")],
    ),
    "rate_2_en_us": Page("confirm", 200, "en-US", Action.RATE, rating=2),
    "done_callback_en_gb": Page("done", 200, "en-GB", Action.CALLBACK),
    "already_de_de": Page("already", 200, "de-DE", Action.RATE),
    "invalid_en_us": Page("invalid", 404, "en-US"),
}


def browse(html_text: str, tmp: Path, name: str) -> str:
    """Load the page in headless Chromium: the DOM it built."""
    page = tmp / f"{name}.html"
    page.write_text(html_text, encoding="utf-8")
    common = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]
    if shots := os.environ.get("LANDING_PAGE_SCREENSHOTS"):  # a phone-sized screenshot to look at
        Path(shots).mkdir(parents=True, exist_ok=True)
        screenshot = Path(shots) / f"{name}.png"
        run = [*common, f"--screenshot={screenshot}", "--window-size=420,900", page.as_uri()]
        subprocess.run(run, check=True, capture_output=True, timeout=60)
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], check=True, capture_output=True, timeout=60)
    return dom.stdout.decode("utf-8")


class Inventory(HTMLParser):
    """What the browser's DOM holds: the lang, the elements, labels and the controls they name."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.tags: list[str] = []
        self.label_for: set[str] = set()
        self.controls: dict[str, dict[str, str | None]] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag in ("input", "textarea", "select") and a.get("id"):
            self.controls[str(a["id"])] = a

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Inventory]:
    tmp = tmp_path_factory.mktemp("pages")
    out = {}
    for name, page in PAGES.items():
        inventory = Inventory()
        inventory.feed(browse(html(page), tmp, name))
        out[name] = inventory
    return out


def test_given_each_page_in_a_browser_then_it_is_in_the_customers_language(rendered) -> None:
    assert {name: page.lang for name, page in rendered.items()} == {name: p.lang for name, p in PAGES.items()}
    assert "Lieferadresse ändern" in "".join(rendered["change_address_de_de_errors"].text)
    assert "ring you within one working day" in "".join(rendered["done_callback_en_gb"].text)


def test_given_a_form_then_every_field_has_its_label_and_errors_are_announced(rendered) -> None:
    page = rendered["change_address_de_de_errors"]
    assert set(page.controls) == {"line1", "line2", "postalCode", "city", "country", "note"}
    assert set(page.controls) <= page.label_for
    assert page.controls["city"].get("aria-invalid") == "true"
    assert page.controls["line1"].get("aria-invalid") is None
    assert "Ort: bitte ausfüllen" in "".join(page.text)


def test_given_what_a_customer_typed_then_the_browser_shows_it_as_text_never_as_markup(rendered) -> None:
    page = rendered["change_address_de_de_errors"]
    assert "img" not in page.tags and "script" not in page.tags
    assert page.controls["line1"]["value"] == "<img src=x onerror=alert(1)>"


def test_given_the_confirm_page_then_one_button_posts_and_the_invalid_page_has_no_form(rendered) -> None:
    assert rendered["confirm_address_en_gb"].tags.count("button") == 1
    assert "form" not in rendered["invalid_en_us"].tags
    assert "This link does not work" in "".join(rendered["invalid_en_us"].text)
