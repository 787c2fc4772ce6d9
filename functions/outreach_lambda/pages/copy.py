"""What the landing pages say, per language (en-US, en-GB, de-DE), and how a language is chosen."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("en-US", "en-GB", "de-DE")
DEFAULT_LANGUAGE: Final = "en-US"

_EN: dict[str, str] = {
    "confirm.rate.title": "Rate your order",
    "confirm.rate.lead": "You are giving your order {rating} out of 5.",
    "confirm.rate.comment": "Anything we should know? (optional)",
    "confirm.rate.button": "Send my rating",
    "confirm.confirm_address.title": "Confirm your delivery address",
    "confirm.confirm_address.lead": "Please confirm that the delivery address in our e-mail is still right.",
    "confirm.confirm_address.button": "Yes, the address is right",
    "confirm.change_address.title": "Change your delivery address",
    "confirm.change_address.lead": "Where should your order go instead? We will check it with you before shipping.",
    "confirm.change_address.button": "Send the new address",
    "confirm.unsubscribe.title": "No more offers",
    "confirm.unsubscribe.lead": "We will send no more offers or suggestions to this e-mail address. "
    "News about an order you placed still reaches you.",
    "confirm.unsubscribe.button": "Unsubscribe",
    "confirm.callback.title": "Ask for a call",
    "confirm.callback.lead": "Someone from our team will call you within one business day.",
    "confirm.callback.note": "When is a good time to call? (optional)",
    "confirm.callback.button": "Please call me",
    "field.line1": "Street and number",
    "field.line2": "Apartment, floor (optional)",
    "field.city": "City",
    "field.postalCode": "Postal code",
    "field.country": "Country",
    "field.note": "Anything the driver should know? (optional)",
    "errors.title": "Please check the form",
    "error.blank": "please fill this in",
    "error.missing": "please fill this in",
    "error.text_too_long": "this is too long",
    "error.invalid": "please check this",
    "done.title": "Thank you",
    "done.rate": "Thank you for your rating. We read every word.",
    "done.confirm_address": "Thank you: we will deliver to the address you confirmed.",
    "done.change_address": "Thank you: we have your new address and will confirm it with you.",
    "done.unsubscribe": "Done: you will get no more offers from us.",
    "done.callback": "Thank you: we will call you within one business day.",
    "already.title": "We already have this",
    "already.body": "This link was already used, so nothing more needs to be done. Thank you!",
    "invalid.title": "This link does not work",
    "invalid.body": "The link may have expired or may have been cut off when it was copied. "
    "Nothing has been changed. Please reply to our e-mail and we will help you straight away.",
    "unavailable.title": "Please try again",
    "unavailable.body": "We could not take your answer just now. Nothing has been changed; "
    "please try again in a minute.",
    "footer": "This page stores nothing in your browser.",
}

COPY: Final[dict[str, dict[str, str]]] = {
    "en-US": _EN,
    "en-GB": {
        **_EN,
        "field.postalCode": "Postcode",
        "field.line2": "Flat, floor (optional)",
        "confirm.callback.lead": "Someone from our team will ring you within one working day.",
        "done.callback": "Thank you: we will ring you within one working day.",
        "confirm.callback.note": "When is a good time to ring you? (optional)",
        "confirm.callback.title": "Ask us to ring you",
        "confirm.callback.button": "Please ring me",
    },
    "de-DE": {
        "confirm.rate.title": "Ihre Bewertung",
        "confirm.rate.lead": "Sie geben Ihrer Bestellung {rating} von 5 Punkten.",
        "confirm.rate.comment": "Möchten Sie uns etwas mitteilen? (optional)",
        "confirm.rate.button": "Bewertung senden",
        "confirm.confirm_address.title": "Lieferadresse bestätigen",
        "confirm.confirm_address.lead": "Bitte bestätigen Sie, dass die Lieferadresse aus unserer E-Mail stimmt.",
        "confirm.confirm_address.button": "Ja, die Adresse stimmt",
        "confirm.change_address.title": "Lieferadresse ändern",
        "confirm.change_address.lead": "Wohin soll Ihre Bestellung stattdessen? "
        "Wir stimmen die Adresse vor dem Versand mit Ihnen ab.",
        "confirm.change_address.button": "Neue Adresse senden",
        "confirm.unsubscribe.title": "Keine Angebote mehr",
        "confirm.unsubscribe.lead": "Wir senden keine Angebote oder Vorschläge mehr an diese E-Mail-Adresse. "
        "Nachrichten zu einer Bestellung erhalten Sie weiterhin.",
        "confirm.unsubscribe.button": "Abmelden",
        "confirm.callback.title": "Rückruf erbitten",
        "confirm.callback.lead": "Jemand aus unserem Team ruft Sie innerhalb eines Werktags an.",
        "confirm.callback.note": "Wann passt Ihnen ein Anruf? (optional)",
        "confirm.callback.button": "Bitte rufen Sie mich an",
        "field.line1": "Straße und Hausnummer",
        "field.line2": "Wohnung, Etage (optional)",
        "field.city": "Ort",
        "field.postalCode": "Postleitzahl",
        "field.country": "Land",
        "field.note": "Hinweis für die Zustellung (optional)",
        "errors.title": "Bitte prüfen Sie das Formular",
        "error.blank": "bitte ausfüllen",
        "error.missing": "bitte ausfüllen",
        "error.text_too_long": "das ist zu lang",
        "error.invalid": "bitte prüfen",
        "done.title": "Vielen Dank",
        "done.rate": "Vielen Dank für Ihre Bewertung. Wir lesen jedes Wort.",
        "done.confirm_address": "Vielen Dank: Wir liefern an die bestätigte Adresse.",
        "done.change_address": "Vielen Dank: Wir haben Ihre neue Adresse und stimmen sie mit Ihnen ab.",
        "done.unsubscribe": "Erledigt: Sie erhalten keine Angebote mehr von uns.",
        "done.callback": "Vielen Dank: Wir rufen Sie innerhalb eines Werktags an.",
        "already.title": "Das haben wir schon",
        "already.body": "Dieser Link wurde bereits verwendet, es ist nichts weiter zu tun. Vielen Dank!",
        "invalid.title": "Dieser Link funktioniert nicht",
        "invalid.body": "Der Link ist vielleicht abgelaufen oder wurde beim Kopieren abgeschnitten. "
        "Es wurde nichts geändert. Antworten Sie einfach auf unsere E-Mail, wir helfen Ihnen sofort.",
        "unavailable.title": "Bitte versuchen Sie es erneut",
        "unavailable.body": "Wir konnten Ihre Antwort gerade nicht annehmen. Es wurde nichts geändert; "
        "bitte versuchen Sie es in einer Minute noch einmal.",
        "footer": "Diese Seite speichert nichts in Ihrem Browser.",
    },
}


def choose_language(*wanted: str | None) -> str:
    """The first of ``wanted`` (a link's language, then Accept-Language entries) that a page exists in: an exact
    tag, else the same language (``de`` or ``de-AT`` -> de-DE, ``en-AU`` -> en-GB, ``en`` -> en-US)."""
    for tag in wanted:
        if not tag:
            continue
        tag = tag.strip()
        for known in LANGUAGES:
            if known.lower() == tag.lower():
                return known
        language = tag.split("-")[0].lower()
        if language == "en":
            region = tag.split("-")[1].upper() if "-" in tag else "US"
            return "en-US" if region in ("US", "") else "en-GB"
        for known in LANGUAGES:
            if known.split("-")[0].lower() == language:
                return known
    return DEFAULT_LANGUAGE


def accept_language(header: str | None) -> list[str]:
    """The tags of an Accept-Language header by preference (at most 10, q-values honoured)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:10]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]
