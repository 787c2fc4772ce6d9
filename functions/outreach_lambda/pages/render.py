"""Landing pages as HTML: jinja2 with autoescape on, so nothing a visitor typed can become markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from outreach_lambda.cold_start import once
from outreach_lambda.pages.copy import COPY
from outreach_lambda.services.actions import FORMS, Page

TEMPLATES = Path(__file__).resolve().parent / "templates"
SHOP = "Outreach Sofas"

#: Headers of every page: never cached, never indexed, the link (a one-use credential) never sent on as a
#: Referer, no scripts, forms only back to this endpoint.
HEADERS: dict[str, str] = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex, nofollow",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}


@once
def environment() -> Any:
    """The template environment, built on first use (importing jinja2 costs ~90 ms a cold start need not pay
    before the first page)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(page: Page, shop: str = SHOP) -> str:
    t = COPY[page.lang]
    context: dict[str, Any] = {"lang": page.lang, "shop": shop, "t": t}
    if page.kind == "confirm" and page.action is not None:
        action = page.action.value
        errors = {name: problem for name, problem in page.errors}
        fields = [
            {
                "name": f.name,
                "label": t.get(f"confirm.{action}.{f.name}") or t[f"field.{f.name}"],
                "max": f.max,
                "required": f.required,
                "multiline": f.multiline,
                "autocomplete": f.autocomplete,
                "value": page.values.get(f.name, ""),
                "invalid": f.name in errors,
            }
            for f in FORMS[page.action]
        ]
        labels = {f["name"]: f["label"] for f in fields}
        context.update(
            title=t[f"confirm.{action}.title"],
            lead=t[f"confirm.{action}.lead"].format(rating=page.rating),
            button=t[f"confirm.{action}.button"],
            fields=fields,
            errors=[
                f"{labels.get(name, name)}: {t.get(f'error.{problem}', t['error.invalid'])}"
                for name, problem in errors.items()
            ],
        )
        return environment().get_template("confirm.html").render(context)
    if page.kind == "done" and page.action is not None:
        context.update(title=t["done.title"], body=t[f"done.{page.action.value}"])
    else:
        context.update(title=t[f"{page.kind}.title"], body=t[f"{page.kind}.body"])
    return environment().get_template("message.html").render(context)
