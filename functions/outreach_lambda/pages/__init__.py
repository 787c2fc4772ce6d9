"""The customer action endpoint's landing pages: jinja2 templates (autoescaped) and their copy per language.

Kept apart from the message templates on purpose: these are web pages answering a click, not messages."""
