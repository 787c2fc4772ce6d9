"""Signed one-click links: only our unaltered, unexpired links verify; keys rotate with an overlap."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outreach_lambda.domain.links import (
    Action,
    ActionLinks,
    LinkKeys,
    LinkRefused,
    action_links,
    claims_for,
    link_id,
    sign,
    verify,
)

NOW = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
KEYS = LinkKeys(current="k1", keys={"k1": b"k" * 32})
DAYS = timedelta(days=60)

rating_links = st.builds(
    lambda ref, rating, lang: claims_for(Action.RATE, ref, NOW, DAYS, argument=rating, lang=lang),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,20}", fullmatch=True),
    st.integers(1, 5),
    st.sampled_from(["en-US", "en-GB", "de-DE", "fr"]),
)


@given(rating_links)
def test_given_a_link_we_signed_when_verified_before_expiry_then_it_says_exactly_what_was_signed(claims) -> None:
    assert verify(sign(claims, KEYS), KEYS, NOW) == claims


@settings(max_examples=300)
@given(rating_links, st.data())
def test_given_any_single_character_of_a_link_changed_then_it_is_refused(claims, data) -> None:
    token = sign(claims, KEYS)
    position = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != token[position]]))
    altered = token[:position] + replacement + token[position + 1 :]

    with pytest.raises(LinkRefused):
        verify(altered, KEYS, NOW)


@given(rating_links, st.binary(min_size=1, max_size=8), st.integers(0, 200))
def test_given_bytes_inserted_or_the_link_cut_then_it_is_refused(claims, junk, cut) -> None:
    token = sign(claims, KEYS)
    for altered in (token[: max(0, len(token) - 1 - cut)], token + junk.hex(), junk.hex() + token):
        with pytest.raises(LinkRefused):
            verify(altered, KEYS, NOW)


@given(rating_links, st.integers(0, 10**6))
def test_given_a_link_when_its_expiry_has_passed_then_it_is_refused_and_just_before_it_holds(claims, late) -> None:
    token = sign(claims, KEYS)
    expiry = claims.expires_at

    assert verify(token, KEYS, expiry - timedelta(seconds=1)) == claims
    with pytest.raises(LinkRefused) as refused:
        verify(token, KEYS, expiry + timedelta(seconds=late))
    assert refused.value.why == "expired"


def test_given_the_signatures_last_character_changed_in_its_unused_bits_then_it_is_refused() -> None:
    token = sign(claims_for(Action.RATE, "SO-1", NOW, DAYS, argument=2), KEYS)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(token[-1])
    same_bytes = [c for i, c in enumerate(alphabet) if i >> 4 == last >> 4 and c != token[-1]]

    for c in same_bytes:
        with pytest.raises(LinkRefused):
            verify(token[:-1] + c, KEYS, NOW)


def test_given_a_payload_rewritten_with_a_later_expiry_then_the_signature_no_longer_fits() -> None:
    token = sign(claims_for(Action.CONFIRM_ADDRESS, "SO-1", NOW, DAYS), KEYS)
    version, key_id, payload, signature = token.split(".")
    import base64

    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["e"] += 86400 * 365
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()

    with pytest.raises(LinkRefused) as refused:
        verify(".".join((version, key_id, forged, signature)), KEYS, NOW)
    assert refused.value.why == "signature"


def test_given_a_rotated_key_when_old_links_are_clicked_then_they_work_until_the_old_key_is_removed() -> None:
    old_link = sign(claims_for(Action.CALLBACK, "SO-1", NOW, DAYS), KEYS)
    rotated = LinkKeys(current="k2", keys={"k1": b"k" * 32, "k2": b"n" * 32})
    new_link = sign(claims_for(Action.CALLBACK, "SO-1", NOW, DAYS), rotated)

    assert new_link.split(".")[1] == "k2"
    assert verify(old_link, rotated, NOW).ref == "SO-1"
    retired = LinkKeys(current="k2", keys={"k2": b"n" * 32})
    assert verify(new_link, retired, NOW).ref == "SO-1"
    with pytest.raises(LinkRefused):
        verify(old_link, retired, NOW)


def test_given_another_key_with_the_same_id_then_links_are_refused() -> None:
    token = sign(claims_for(Action.UNSUBSCRIBE, "CR-1", NOW, DAYS, scope="catalog"), KEYS)

    with pytest.raises(LinkRefused):
        verify(token, LinkKeys(current="k1", keys={"k1": b"x" * 32}), NOW)


def test_given_every_refusal_then_the_message_is_the_same_and_names_nothing() -> None:
    token = sign(claims_for(Action.RATE, "SO-1", NOW, DAYS, argument=5), KEYS)
    messages = set()
    for bad, at in ((token[:-2] + "AA", NOW), ("v2" + token[2:], NOW), (token, NOW + DAYS * 2), ("nonsense", NOW)):
        with pytest.raises(LinkRefused) as refused:
            verify(bad, KEYS, at)
        messages.add(str(refused.value))
    assert messages == {"this link is not valid or has expired"}


def test_given_the_secret_text_then_keys_parse_and_never_print_their_values() -> None:
    keys = LinkKeys.from_secret(json.dumps({"current": "k2", "k1": "a" * 64, "k2": "b" * 64}))

    assert keys.current == "k2" and sorted(keys.keys) == ["k1", "k2"]
    assert "aaaa" not in repr(keys) and "bbbb" not in str(keys)
    with pytest.raises(ValueError, match="current"):
        LinkKeys.from_secret(json.dumps({"current": "k3", "k1": "a" * 64}))
    with pytest.raises(ValueError, match="at least 32 bytes") as short:
        LinkKeys.from_secret(json.dumps({"current": "k1", "k1": "tooshort"}))
    assert "tooshort" not in str(short.value)


def test_given_a_rating_link_then_it_carries_a_rating_and_other_actions_carry_none() -> None:
    with pytest.raises(ValueError, match="rating"):
        claims_for(Action.RATE, "SO-1", NOW, DAYS)
    with pytest.raises(ValueError, match="no argument"):
        claims_for(Action.CALLBACK, "SO-1", NOW, DAYS, argument=3)
    with pytest.raises(ValueError, match="catalog"):
        claims_for(Action.CONFIRM_ADDRESS, "CR-1", NOW, DAYS, scope="catalog")


def test_given_each_message_kind_then_its_links_are_the_actions_it_offers() -> None:
    maker = ActionLinks(base_url="https://actions.example/", keys=KEYS, validity=DAYS)

    def actions_of(kind: str, **kw) -> dict[str, tuple[str, int | None]]:
        links = action_links(kind, "SO-1", NOW, maker, **kw)
        assert all(url.startswith("https://actions.example/a/v1.k1.") for url in links.values())
        return {
            name: (
                verify(url.rsplit("/", 1)[1], KEYS, NOW).action.value,
                verify(url.rsplit("/", 1)[1], KEYS, NOW).argument,
            )
            for name, url in links.items()
        }

    assert actions_of("production_update") == {
        "confirmAddress": ("confirm_address", None),
        "changeAddress": ("change_address", None),
    }
    assert actions_of("satisfaction_check") == {
        **{f"rate{n}": ("rate", n) for n in range(1, 6)},
        "callback": ("callback", None),
        "unsubscribe": ("unsubscribe", None),
    }
    assert actions_of("catalog_follow_up", scope="catalog") == {"unsubscribe": ("unsubscribe", None)}
    assert actions_of("order_confirmation") == {}


def test_given_a_token_then_its_link_id_is_stable_and_does_not_contain_it() -> None:
    token = sign(claims_for(Action.RATE, "SO-1", NOW, DAYS, argument=4), KEYS)

    assert link_id(token) == link_id(token) and token not in link_id(token) and len(link_id(token)) == 32
