"""A real browser at phone width shows every message's key facts and nothing runs off the side.

All messages go into one page (one ``<iframe srcdoc>`` each, 390 px wide) so one headless Chromium run
checks them all: each frame's visible text (``innerText``), its links and its scroll width are collected by a
script and read back from ``--dump-dom``. Skipped, saying why, where Chromium is not installed.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from domain_builders import OrderRun
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.rendering import KINDS, long_date, resolve_language

from outreach import preview

LOCALES = ("en-US", "en-GB", "de-DE")
pytestmark = pytest.mark.skipif(
    preview.browser() is None, reason="no chromium on PATH (apt-get install chromium; `make test` tries)"
)

COLLECT = """
<script>
window.addEventListener("load", () => {
  const out = {};
  for (const frame of document.querySelectorAll("iframe")) {
    const doc = frame.contentDocument;
    out[frame.id] = {
      text: doc.body.innerText,
      links: [...doc.querySelectorAll("a")].map(a => a.href),
      scrollWidth: doc.documentElement.scrollWidth,
    };
  }
  document.getElementById("results").textContent = JSON.stringify(out);
});
</script>
"""


def _browse(pages: dict[str, str], tmp_path: Path) -> dict[str, dict]:
    frames = "".join(
        f'<iframe id="{name}" width="{preview.PHONE_WIDTH}" height="600" srcdoc="{html.escape(page)}"></iframe>'
        for name, page in pages.items()
    )
    index = tmp_path / "all.html"
    index.write_text(f"<!DOCTYPE html><html><body>{frames}<pre id='results'></pre>{COLLECT}</body></html>")
    dom = preview.dump_dom(index)
    found = re.search(r"<pre id=\"results\">(.*?)</pre>", dom, re.DOTALL)
    assert found and found.group(1), f"the browser gave no results: {dom[:500]}"
    return json.loads(html.unescape(found.group(1)))


def test_given_every_kind_and_locale_at_phone_width_then_the_key_facts_show_and_nothing_overflows(
    config: OutreachConfig, tmp_path: Path
) -> None:
    pages, expected = {}, {}
    for kind in KINDS:
        for locale in LOCALES:
            name = f"{kind}-{locale}"
            pages[name] = preview.sample_message(kind, locale, config).html
            # a catalog request has no number to show
            facts = [] if kind in ("catalog_follow_up", "design_advice_offer") else ["SO-1042"]
            if kind in ("order_confirmation", "production_update", "shipped", "delay_notice"):
                state = preview.sample_state(kind, locale, config)
                facts.append(long_date(state.promised, resolve_language(locale, "en-US")))
            expected[name] = facts
    seen = _browse(pages, tmp_path)
    for name, facts in expected.items():
        text = " ".join(seen[name]["text"].split())
        for fact in facts:
            assert fact in text, f"{name} does not show {fact!r}"
        assert seen[name]["scrollWidth"] <= preview.PHONE_WIDTH, f"{name} is wider than a phone"
        if name.startswith("shipped"):
            url = "https://www.dhl.example/track?piece=JJD0099887766&lang=en"
            assert url in seen[name]["links"] and url in text and "JJD0099887766" in text


def test_given_hostile_long_words_and_rtl_text_at_phone_width_then_the_page_still_fits(
    config: OutreachConfig, tmp_path: Path
) -> None:
    order = OrderRun(config)
    long_word = "Donaudampfschifffahrtsgesellschaftskapitän" * 2
    order.place(name=f"<script>alert(1)</script>{long_word[:60]}", line2="شارع الملك فهد ١٢ 🛋️")
    assert order.state is not None
    address = order.state.order.shipping_address.model_copy(update={"line1": long_word})
    order.state.order = order.state.order.model_copy(update={"shipping_address": address})
    from outreach_lambda.domain.model import ContactOrder
    from outreach_lambda.domain.rendering import render

    contact = ContactOrder(key="k", kind="production_update", channel="email", dueAt=order.state.order.placed_at)
    seen = _browse({"hostile": render(order.state, contact, config).html}, tmp_path)["hostile"]
    assert seen["scrollWidth"] <= preview.PHONE_WIDTH
    assert "<script>alert(1)</script>" in seen["text"]  # shown as text, not run
    assert "شارع الملك فهد" in seen["text"]
