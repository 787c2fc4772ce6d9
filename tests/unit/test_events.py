"""Order events as they arrive on the bus: a bad event is rejected with the offending field named."""

from __future__ import annotations

import copy
import json
import zlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from domain_builders import OrderRun, at, placed_detail, shipped
from outreach_lambda.adapters.orders import DIGEST_BYTES, pack_state
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import (
    DETAIL_TYPES,
    EVENT_TIME_WINDOWS,
    STORED,
    TIMER_DETAIL_TYPE,
    TIMER_SOURCE,
    CatalogRequested,
    FeedbackReceived,
    OrderDelivered,
    OrderPlaced,
    OrderShipped,
    ProductionCompleted,
    ProductionDelayed,
    UnknownDetailType,
    WrongSource,
    as_datetime,
    check_received,
    check_source,
    fingerprint,
    parse_detail,
    parse_envelope,
    placement_problem,
)
from outreach_lambda.domain.model import InboundEvent, OrderState
from pydantic import ValidationError


def error_locs(detail_type: str, detail: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        parse_detail(detail_type, detail)
    return [e["loc"] for e in caught.value.errors()]


def with_change(path: tuple[Any, ...], value: Any, *, delete: bool = False) -> dict[str, Any]:
    detail = copy.deepcopy(placed_detail())
    target: Any = detail
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return detail


# --- Order Placed ---------------------------------------------------------------------------------------------


def test_given_complete_order_placed_when_parsed_then_fields_and_defaults_are_read() -> None:
    detail = placed_detail(timezone=None, transit_days=None)
    placed = parse_detail("Order Placed", detail)
    assert isinstance(placed, OrderPlaced)
    assert placed.order_id == "SO-1"
    assert placed.placed_at == at("2026-11-02T09:00:00Z")
    assert placed.customer.timezone == "UTC"
    assert placed.customer.channels == ["email"]
    assert placed.transit_days is None  # filled in from configuration by the timeline
    assert placed.shipping_address.postal_code == "10115"
    assert placed.items[0].quantity == 1


def test_given_extra_fields_from_producer_when_parsed_then_they_are_ignored() -> None:
    detail = placed_detail()
    detail["salesChannel"] = "showroom"
    detail["customer"]["loyaltyTier"] = "gold"
    assert parse_detail("Order Placed", detail).order_id == "SO-1"


@pytest.mark.parametrize(
    ("path", "value", "delete", "expected_loc"),
    [
        pytest.param(("orderId",), None, True, ("orderId",), id="orderId-missing"),
        pytest.param(("orderId",), "", False, ("orderId",), id="orderId-empty"),
        pytest.param(("placedAt",), None, True, ("placedAt",), id="placedAt-missing"),
        pytest.param(("placedAt",), "2026-11-02T09:00:00", False, ("placedAt",), id="placedAt-without-offset"),
        pytest.param(("placedAt",), "next tuesday", False, ("placedAt",), id="placedAt-garbage"),
        pytest.param(("customer", "email"), None, True, ("customer", "email"), id="email-missing"),
        pytest.param(("customer", "email"), "ada.example.com", False, ("customer", "email"), id="email-no-at"),
        pytest.param(("customer", "email"), "ada@localhost", False, ("customer", "email"), id="email-no-domain"),
        pytest.param(("customer", "name"), "", False, ("customer", "name"), id="name-empty"),
        pytest.param(
            ("customer", "timezone"), "Mars/Olympus_Mons", False, ("customer", "timezone"), id="timezone-unknown"
        ),
        pytest.param(("customer", "timezone"), "Europe", False, ("customer", "timezone"), id="timezone-a-region"),
        pytest.param(("customer", "timezone"), "/etc/localtime", False, ("customer", "timezone"), id="timezone-path"),
        pytest.param(("customer", "phone"), "015112345678", False, ("customer", "phone"), id="phone-no-plus"),
        pytest.param(("customer", "phone"), "+0151123456", False, ("customer", "phone"), id="phone-leading-zero"),
        pytest.param(("customer", "phone"), "+49 151 1234", False, ("customer", "phone"), id="phone-spaces"),
        pytest.param(("customer", "channels"), ["pigeon"], False, ("customer", "channels", 0), id="channel-unknown"),
        pytest.param(("items",), [], False, ("items",), id="items-empty"),
        pytest.param(("items",), None, True, ("items",), id="items-missing"),
        pytest.param(("items", 0, "quantity"), 0, False, ("items", 0, "quantity"), id="quantity-zero"),
        pytest.param(("items", 0, "sku"), None, True, ("items", 0, "sku"), id="sku-missing"),
        pytest.param(("productionDays",), -1, False, ("productionDays",), id="productionDays-negative"),
        pytest.param(("productionDays",), None, True, ("productionDays",), id="productionDays-missing"),
        pytest.param(("transitDays",), -2, False, ("transitDays",), id="transitDays-negative"),
        pytest.param(
            ("shippingAddress", "postalCode"),
            None,
            True,
            ("shippingAddress", "postalCode"),
            id="postalCode-missing",
        ),
        pytest.param(("shippingAddress",), None, True, ("shippingAddress",), id="address-missing"),
    ],
)
def test_given_order_placed_with_bad_field_when_parsed_then_error_names_that_field(
    path: tuple[Any, ...], value: Any, delete: bool, expected_loc: tuple[Any, ...]
) -> None:
    assert error_locs("Order Placed", with_change(path, value, delete=delete)) == [expected_loc]


def test_given_a_channel_given_twice_when_parsed_then_the_error_says_which() -> None:
    with pytest.raises(ValidationError, match="'sms' is given twice"):
        parse_detail("Order Placed", with_change(("customer", "channels"), ["sms", "email", "sms"]))


def test_given_unknown_time_zone_when_parsed_then_message_says_unknown_iana_zone() -> None:
    with pytest.raises(ValidationError, match="unknown IANA time zone 'Mars/Olympus_Mons'"):
        parse_detail("Order Placed", with_change(("customer", "timezone"), "Mars/Olympus_Mons"))


def test_given_phone_not_in_e164_when_parsed_then_message_explains_e164() -> None:
    with pytest.raises(ValidationError, match=r"E\.164"):
        parse_detail("Order Placed", with_change(("customer", "phone"), "0151 12345678"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param(
            "email",
            "ada@example.com\n",
            id="email-trailing-newline",
        ),
        pytest.param(
            "phone",
            "+4915112345678\n",
            id="phone-trailing-newline",
        ),
    ],
)
def test_given_contact_address_with_trailing_newline_when_parsed_then_rejected(field: str, value: str) -> None:
    assert error_locs("Order Placed", with_change(("customer", field), value)) == [("customer", field)]


def test_given_sms_channel_with_phone_when_parsed_then_customer_wants_sms() -> None:
    placed = parse_detail("Order Placed", placed_detail(channels=["email", "sms"], phone="+4915112345678"))
    assert placed.customer.wants_sms()


def test_given_sms_channel_without_phone_when_parsed_then_customer_gets_email_only() -> None:
    placed = parse_detail("Order Placed", placed_detail(channels=["email", "sms"]))
    assert not placed.customer.wants_sms()


def test_given_phone_without_sms_channel_when_parsed_then_customer_gets_email_only() -> None:
    placed = parse_detail("Order Placed", placed_detail(phone="+4915112345678"))
    assert not placed.customer.wants_sms()


def test_given_customer_time_zone_when_parsed_then_zone_is_usable() -> None:
    placed = parse_detail("Order Placed", placed_detail(timezone="Pacific/Auckland"))
    assert placed.customer.zone == ZoneInfo("Pacific/Auckland")


# --- the other detail-types -------------------------------------------------------------------------------------


def test_given_production_delayed_without_order_id_or_sku_when_parsed_then_error_names_both() -> None:
    with pytest.raises(ValidationError, match="one of orderId or sku is required"):
        parse_detail("Production Delayed", {"estimatedCompletion": "2026-11-20T09:00:00Z"})


def test_given_production_delayed_for_a_sku_when_parsed_then_accepted_without_order_id() -> None:
    delayed = parse_detail("Production Delayed", {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-11-20"})
    assert isinstance(delayed, ProductionDelayed)
    assert delayed.order_id is None
    assert delayed.estimated_completion == date(2026, 11, 20)


def test_given_production_delayed_with_timestamp_when_parsed_then_instant_kept() -> None:
    delayed = parse_detail(
        "Production Delayed", {"orderId": "SO-1", "estimatedCompletion": "2026-11-20T10:00:00+01:00", "reason": "x"}
    )
    assert delayed.estimated_completion == at("2026-11-20T09:00:00Z")
    assert delayed.reason == "x"


@pytest.mark.parametrize("value", ["2026-11-20T10:00:00", "soon", None])
def test_given_production_delayed_with_bad_estimate_when_parsed_then_error_names_estimated_completion(
    value: str | None,
) -> None:
    detail: dict[str, Any] = {"orderId": "SO-1"}
    if value is not None:
        detail["estimatedCompletion"] = value
    locs = error_locs("Production Delayed", detail)
    assert locs
    assert all(loc[0] == "estimatedCompletion" for loc in locs)


def test_given_order_shipped_without_tracking_number_when_parsed_then_error_names_tracking_number() -> None:
    assert error_locs("Order Shipped", {"orderId": "SO-1", "carrier": "DHL"}) == [("trackingNumber",)]


def test_given_order_shipped_with_estimated_delivery_date_when_parsed_then_date_kept() -> None:
    shipped = parse_detail(
        "Order Shipped",
        {"orderId": "SO-1", "carrier": "DHL", "trackingNumber": "00340434", "estimatedDelivery": "2026-11-25"},
    )
    assert isinstance(shipped, OrderShipped)
    assert shipped.estimated_delivery == date(2026, 11, 25)


@pytest.mark.parametrize("rating", [0, 6, "great"])
def test_given_feedback_rating_outside_1_to_5_when_parsed_then_error_names_rating(rating: Any) -> None:
    assert error_locs("Feedback Received", {"orderId": "SO-1", "rating": rating}) == [("rating",)]


@pytest.mark.parametrize("rating", [1, 5])
def test_given_feedback_rating_1_to_5_when_parsed_then_accepted(rating: int) -> None:
    feedback = parse_detail("Feedback Received", {"orderId": "SO-1", "rating": rating, "comment": "ok"})
    assert isinstance(feedback, FeedbackReceived)
    assert feedback.rating == rating


@pytest.mark.parametrize(
    "detail_type", ["Production Completed", "Order Delivered", "Order Cancelled", "Feedback Received"]
)
def test_given_order_event_without_order_id_when_parsed_then_error_names_order_id(detail_type: str) -> None:
    assert ("orderId",) in error_locs(detail_type, {"rating": 5})


def test_given_catalog_request_when_parsed_then_customer_and_address_are_read() -> None:
    request = parse_detail(
        "Catalog Requested",
        {
            "requestId": "CR-1",
            "customer": {"name": "Grace Hopper", "email": "grace@example.com", "timezone": "America/New_York"},
            "postalAddress": {"line1": "1 Main St", "city": "Arlington", "postalCode": "22201", "country": "US"},
        },
    )
    assert isinstance(request, CatalogRequested)
    assert request.postal_address is not None
    assert request.postal_address.city == "Arlington"


def test_given_catalog_request_without_customer_email_when_parsed_then_error_names_customer_email() -> None:
    locs = error_locs("Catalog Requested", {"requestId": "CR-1", "customer": {"name": "Grace Hopper"}})
    assert locs == [("customer", "email")]


def test_given_unknown_detail_type_when_parsed_then_unknown_detail_type_is_raised() -> None:
    with pytest.raises(UnknownDetailType, match="Order Teleported") as caught:
        parse_detail("Order Teleported", {"orderId": "SO-1"})
    assert isinstance(caught.value, ValueError)
    assert "Order Placed" in str(caught.value)  # the known detail-types are listed


def test_given_date_only_value_when_read_as_instant_then_it_is_start_of_that_day_in_customers_zone() -> None:
    result = as_datetime(date(2026, 11, 20), ZoneInfo("Europe/Berlin"))
    assert result == at("2026-11-19T23:00:00Z")


def test_given_instant_when_read_as_instant_then_unchanged() -> None:
    instant = datetime.fromisoformat("2026-11-20T10:00:00+01:00")
    assert as_datetime(instant, ZoneInfo("Pacific/Auckland")) == instant


# --- strict numbers: no strings, no booleans, no floats ----------------------------------------------------------

EVENT_TIME = at("2026-11-02T09:00:00Z")


def problems(detail_type: str, detail: Any, event_time: datetime | None = EVENT_TIME) -> dict[str, str]:
    """``{"customer.email": "message", ...}`` of a rejected detail."""
    with pytest.raises(ValidationError) as caught:
        parse_detail(detail_type, detail, event_time)
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("productionDays",), True, id="productionDays-true-is-not-one-day"),
        pytest.param(("productionDays",), "14", id="productionDays-text"),
        pytest.param(("productionDays",), 14.0, id="productionDays-float"),
        pytest.param(("transitDays",), "7", id="transitDays-text"),
        pytest.param(("transitDays",), False, id="transitDays-false"),
        pytest.param(("items", 0, "quantity"), True, id="quantity-true"),
        pytest.param(("items", 0, "quantity"), 1.0, id="quantity-float"),
        pytest.param(("items", 0, "quantity"), "1", id="quantity-text"),
    ],
)
def test_given_a_number_as_text_boolean_or_float_when_parsed_then_it_is_not_coerced(
    path: tuple[Any, ...], value: Any
) -> None:
    field = ".".join(str(p) for p in path)
    assert problems("Order Placed", with_change(path, value)) == {field: "Input should be a valid integer"}


@pytest.mark.parametrize("rating", [True, "5", 5.0, 4.5])
def test_given_a_rating_that_is_not_an_integer_when_parsed_then_rejected_not_a_one_star_review(rating: Any) -> None:
    assert problems("Feedback Received", {"orderId": "SO-1", "rating": rating}) == {
        "rating": "Input should be a valid integer"
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("productionDays",), 0, id="productionDays-0"),
        pytest.param(("productionDays",), 366, id="productionDays-366"),
        pytest.param(("transitDays",), 121, id="transitDays-121"),
        pytest.param(("items", 0, "quantity"), 1000, id="quantity-1000"),
    ],
)
def test_given_a_number_outside_its_range_when_parsed_then_error_names_the_field(
    path: tuple[Any, ...], value: Any
) -> None:
    assert list(problems("Order Placed", with_change(path, value))) == [".".join(str(p) for p in path)]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("productionDays",), 1, id="productionDays-1"),
        pytest.param(("productionDays",), 365, id="productionDays-365"),
        pytest.param(("transitDays",), 0, id="transitDays-0"),
        pytest.param(("transitDays",), 120, id="transitDays-120"),
        pytest.param(("items", 0, "quantity"), 999, id="quantity-999"),
    ],
)
def test_given_a_number_at_the_edge_of_its_range_when_parsed_then_accepted(path: tuple[Any, ...], value: Any) -> None:
    parse_detail("Order Placed", with_change(path, value), EVENT_TIME)


def test_given_more_than_50_items_when_parsed_then_error_names_items() -> None:
    item = placed_detail()["items"][0]
    assert list(problems("Order Placed", with_change(("items",), [item] * 51))) == ["items"]
    parse_detail("Order Placed", with_change(("items",), [item] * 50), EVENT_TIME)


# --- identifiers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(" SO-1", id="leading-space"),
        pytest.param("SO-1\n", id="trailing-newline"),
        pytest.param("SO 1", id="inner-space"),
        pytest.param("-SO-1", id="starts-with-a-hyphen"),
        pytest.param("SÖ-1", id="not-ascii"),
        pytest.param("S" * 65, id="65-characters"),
        pytest.param(7, id="a-number"),
    ],
)
@pytest.mark.parametrize(
    ("detail_type", "path"),
    [
        ("Order Placed", ("orderId",)),
        ("Order Placed", ("items", 0, "sku")),
        ("Order Shipped", ("trackingNumber",)),
        ("Catalog Requested", ("requestId",)),
    ],
)
def test_given_an_identifier_that_is_blank_or_outside_the_charset_when_parsed_then_rejected(
    detail_type: str, path: tuple[Any, ...], value: Any
) -> None:
    details: dict[str, dict[str, Any]] = {
        "Order Placed": placed_detail(),
        "Order Shipped": shipped(),
        "Catalog Requested": {"requestId": "CR-1", "customer": {"name": "Grace Hopper", "email": "g@example.com"}},
    }
    detail = copy.deepcopy(details[detail_type])
    target: Any = detail
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert list(problems(detail_type, detail)) == [".".join(str(p) for p in path)]


@pytest.mark.parametrize("value", ["SO-1", "2026/0042", "shop:SO#1", "A.b_c-9", "S" * 64])
def test_given_an_identifier_in_the_charset_when_parsed_then_kept_exactly(value: str) -> None:
    placed = parse_detail("Order Placed", with_change(("orderId",), value), EVENT_TIME)
    assert isinstance(placed, OrderPlaced)
    assert placed.order_id == value


def test_given_a_blank_identifier_when_parsed_then_the_message_says_blank() -> None:
    assert problems("Order Placed", with_change(("orderId",), "  ")) == {"orderId": "must not be blank"}


@pytest.mark.parametrize("carrier", ["", "  ", "C" * 65, "DHL\nFreight", "<script>"])
def test_given_a_carrier_that_is_blank_long_or_odd_when_parsed_then_rejected(carrier: str) -> None:
    assert list(problems("Order Shipped", {**shipped(), "carrier": carrier})) == ["carrier"]


@pytest.mark.parametrize("carrier", ["DHL Freight", "NZ Post", "La Poste", "Österreichische Post", "A&B (Express)"])
def test_given_a_carriers_name_when_parsed_then_accepted(carrier: str) -> None:
    assert parse_detail("Order Shipped", {**shipped(), "carrier": carrier}, EVENT_TIME).carrier == carrier  # type: ignore[attr-defined]


# --- free text ----------------------------------------------------------------------------------------------------

TEXT_LIMITS = [
    pytest.param("Order Placed", ("customer", "name"), 100, id="customer.name"),
    pytest.param("Order Placed", ("items", 0, "description"), 120, id="item.description"),
    pytest.param("Order Placed", ("shippingAddress", "line1"), 100, id="address.line1"),
    pytest.param("Order Placed", ("shippingAddress", "line2"), 100, id="address.line2"),
    pytest.param("Order Placed", ("shippingAddress", "city"), 100, id="address.city"),
    pytest.param("Order Placed", ("shippingAddress", "country"), 64, id="address.country"),
    pytest.param("Production Delayed", ("reason",), 200, id="delay.reason"),
    pytest.param("Order Cancelled", ("reason",), 200, id="cancel.reason"),
    pytest.param("Order Shipped", ("deliveryDetails",), 1000, id="deliveryDetails"),
    pytest.param("Feedback Received", ("comment",), 2000, id="comment"),
]


def base_detail(detail_type: str) -> dict[str, Any]:
    return copy.deepcopy(
        {
            "Order Placed": placed_detail(),
            "Production Delayed": {"orderId": "SO-1", "estimatedCompletion": "2026-11-20"},
            "Order Cancelled": {"orderId": "SO-1"},
            "Order Shipped": shipped(),
            "Feedback Received": {"orderId": "SO-1", "rating": 4},
        }[detail_type]
    )


def set_path(detail: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = detail
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return detail


def get_path(model: Any, path: tuple[Any, ...]) -> Any:
    value = model.model_dump(by_alias=True)
    for key in path:
        value = value[key]
    return value


@pytest.mark.parametrize(("detail_type", "path", "limit"), TEXT_LIMITS)
def test_given_free_text_one_character_over_its_limit_when_parsed_then_error_names_the_field_and_limit(
    detail_type: str, path: tuple[Any, ...], limit: int
) -> None:
    detail = set_path(base_detail(detail_type), path, "x" * (limit + 1))
    field = ".".join(str(p) for p in path)
    assert problems(detail_type, detail) == {field: f"must be at most {limit} characters, got {limit + 1}"}


@pytest.mark.parametrize(("detail_type", "path", "limit"), TEXT_LIMITS)
def test_given_free_text_at_its_limit_with_surrounding_spaces_when_parsed_then_accepted_and_stripped(
    detail_type: str, path: tuple[Any, ...], limit: int
) -> None:
    detail = set_path(base_detail(detail_type), path, "  " + "x" * limit + "\n")
    assert get_path(parse_detail(detail_type, detail, EVENT_TIME), path) == "x" * limit


@pytest.mark.parametrize(
    "path",
    [("customer", "name"), ("items", 0, "description"), ("shippingAddress", "line1"), ("shippingAddress", "city")],
)
def test_given_required_text_blank_after_stripping_when_parsed_then_error_says_blank(path: tuple[Any, ...]) -> None:
    field = ".".join(str(p) for p in path)
    assert problems("Order Placed", with_change(path, " \t ")) == {field: "must not be blank"}


def test_given_optional_text_blank_after_stripping_when_parsed_then_it_counts_as_absent() -> None:
    placed = parse_detail("Order Placed", with_change(("shippingAddress", "line2"), "   "), EVENT_TIME)
    assert isinstance(placed, OrderPlaced)
    assert placed.shipping_address.line2 is None
    cancelled = parse_detail("Order Cancelled", {"orderId": "SO-1", "reason": "  "}, EVENT_TIME)
    assert cancelled.reason is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("customer", "name"), "Ada\x00Lovelace", id="nul"),
        pytest.param(("customer", "name"), "Ada\nBcc: x@example.com", id="newline-in-a-one-line-field"),
        pytest.param(("customer", "name"), "Ada\u202eecalevol", id="bidi-override"),
        pytest.param(("items", 0, "description"), "sofa\ud800", id="lone-surrogate"),
        pytest.param(("shippingAddress", "line1"), "Hauptstrasse\x1b[31m 1", id="escape"),
    ],
)
def test_given_text_with_a_control_character_when_parsed_then_rejected(path: tuple[Any, ...], value: str) -> None:
    field = ".".join(str(p) for p in path)
    [(where, message)] = problems("Order Placed", with_change(path, value)).items()
    assert where == field
    assert message.startswith("must not contain the control character U+")


def test_given_each_code_point_then_refused_exactly_when_a_control_a_surrogate_or_a_bidi_override() -> None:
    import sys
    import unicodedata

    from outreach_lambda.domain.events import _forbidden_character

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    categories = zip(every, map(unicodedata.category, every), strict=True)
    controls = {char for char, category in categories if category in ("Cc", "Cs")}
    for multiline, refused in ((False, controls | bidi), (True, (controls | bidi) - set("\n\r\t"))):
        assert all(_forbidden_character(f"ok{char}", multiline) == char for char in refused)
        assert _forbidden_character(every.translate(dict.fromkeys(map(ord, refused))), multiline) is None


def test_given_multi_line_delivery_details_when_parsed_then_line_breaks_are_kept() -> None:
    details = "Two men, one van.\nWe call 30 minutes ahead.\n\tPackaging taken away."
    parsed = parse_detail("Order Shipped", {**shipped(), "deliveryDetails": details}, EVENT_TIME)
    assert parsed.delivery_details == details  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("shippingAddress", "postalCode"), "10115!", id="postalCode-punctuation"),
        pytest.param(("shippingAddress", "postalCode"), "1" * 17, id="postalCode-17"),
        pytest.param(("customer", "locale"), "english please", id="locale-not-bcp47"),
        pytest.param(("customer", "locale"), "en-" + "x" * 40, id="locale-long"),
        pytest.param(("customer", "timezone"), "Europe/" + "x" * 60, id="timezone-long"),
        pytest.param(("customer", "channels"), ["email", "sms", "email"], id="channels-3"),
        pytest.param(("customer", "channels"), [], id="channels-none"),
        pytest.param(("customer", "channels"), ["email", "email"], id="channels-repeated"),
    ],
)
def test_given_a_short_coded_field_out_of_shape_when_parsed_then_error_names_it(
    path: tuple[Any, ...], value: Any
) -> None:
    assert list(problems("Order Placed", with_change(path, value))) == [".".join(str(p) for p in path)]


@pytest.mark.parametrize("postal_code", ["SW1A 1AA", "22201-1234", "D02 X285", "10115"])
def test_given_postal_codes_of_many_countries_when_parsed_then_accepted(postal_code: str) -> None:
    parse_detail("Order Placed", with_change(("shippingAddress", "postalCode"), postal_code), EVENT_TIME)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://track.example/1",
        "track.example/1",
        "https://",
        "https://track.example/a b",
        "https://track.example/" + "a" * 500,
    ],
)
def test_given_a_tracking_url_that_is_not_a_web_link_when_parsed_then_error_names_tracking_url(url: str) -> None:
    assert list(problems("Order Shipped", {**shipped(), "trackingUrl": url})) == ["trackingUrl"]


def test_given_an_https_tracking_url_when_parsed_then_kept_as_given() -> None:
    url = "https://track.example/JJD0099887766?lang=en"
    assert parse_detail("Order Shipped", {**shipped(), "trackingUrl": url}, EVENT_TIME).tracking_url == url  # type: ignore[attr-defined]


# --- e-mail addresses as SES takes them --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("ada@example.test", id="special-use-domain"),
        pytest.param("ada@localhost", id="no-dot"),
        pytest.param("ada..lovelace@example.com", id="two-dots"),
        pytest.param("ädä@example.com", id="non-ascii-local-part"),
        pytest.param("Ada <ada@example.com>", id="display-name"),
        pytest.param('"ada lovelace"@example.com', id="quoted-local-part"),
        pytest.param("ada@-example.com", id="bad-domain-label"),
        pytest.param("a" * 65 + "@example.com", id="local-part-65"),
    ],
)
def test_given_an_address_ses_would_reject_when_parsed_then_error_names_customer_email(email: str) -> None:
    [(field, message)] = problems("Order Placed", with_change(("customer", "email"), email)).items()
    assert field == "customer.email"
    assert message.startswith("is not an e-mail address SES can deliver to")


def test_given_an_address_with_upper_case_domain_when_parsed_then_domain_is_normalised() -> None:
    placed = parse_detail("Order Placed", with_change(("customer", "email"), "Ada@Example.COM"), EVENT_TIME)
    assert placed.customer.email == "Ada@example.com"  # type: ignore[attr-defined]


def test_given_an_internationalised_domain_when_parsed_then_stored_in_ascii_for_ses() -> None:
    placed = parse_detail("Order Placed", with_change(("customer", "email"), "ada@bücher.example.com"), EVENT_TIME)
    assert placed.customer.email == "ada@xn--bcher-kva.example.com"  # type: ignore[attr-defined]


# --- dates: ISO text, plausible relative to the event's own time --------------------------------------------------


@pytest.mark.parametrize("value", [0, 1793610000, "1793610000", "0", True, "2026-11-02", "02.11.2026 10:00"])
def test_given_placed_at_that_is_not_an_iso_timestamp_when_parsed_then_rejected(value: Any) -> None:
    assert problems("Order Placed", with_change(("placedAt",), value)) == {
        "placedAt": "must be an ISO 8601 timestamp with offset, like 2026-11-02T10:00:00+01:00"
    }


@pytest.mark.parametrize(
    ("placed_at", "message"),
    [
        pytest.param(
            "1970-01-01T00:00:00Z",
            "must not be more than 30 days before the event's time 2026-11-02T09:00:00Z",
            id="1970",
        ),
        pytest.param(
            "2026-10-03T08:59:59Z",
            "must not be more than 30 days before the event's time 2026-11-02T09:00:00Z",
            id="30-days-and-a-second-before",
        ),
        pytest.param(
            "2026-11-02T09:05:01Z",
            "must not be more than 5 minutes after the event's time 2026-11-02T09:00:00Z",
            id="5-minutes-and-a-second-after",
        ),
        pytest.param(
            "2046-11-02T09:00:00Z",
            "must not be more than 5 minutes after the event's time 2026-11-02T09:00:00Z",
            id="20-years-ahead",
        ),
    ],
)
def test_given_placed_at_far_from_the_event_time_when_parsed_then_rejected_with_the_bound(
    placed_at: str, message: str
) -> None:
    assert problems("Order Placed", with_change(("placedAt",), placed_at)) == {"placedAt": message}


@pytest.mark.parametrize("placed_at", ["2026-10-03T09:00:00Z", "2026-11-02T10:05:00+01:00", "2026-11-02T08:00:00Z"])
def test_given_placed_at_within_30_days_before_and_5_minutes_after_when_parsed_then_accepted(placed_at: str) -> None:
    parse_detail("Order Placed", with_change(("placedAt",), placed_at), EVENT_TIME)


@pytest.mark.parametrize(
    ("detail_type", "detail", "field", "message"),
    [
        pytest.param(
            "Production Completed",
            {"orderId": "SO-1", "completedAt": "2029-01-01T00:00:00Z"},
            "completedAt",
            "must not be more than 5 minutes after the event's time 2026-11-02T09:00:00Z",
            id="completedAt-years-ahead",
        ),
        pytest.param(
            "Order Delivered",
            {"orderId": "SO-1", "deliveredAt": "2026-11-02T09:10:00Z"},
            "deliveredAt",
            "must not be more than 5 minutes after the event's time 2026-11-02T09:00:00Z",
            id="deliveredAt-10-minutes-ahead",
        ),
        pytest.param(
            "Production Delayed",
            {"orderId": "SO-1", "estimatedCompletion": "2028-11-03"},
            "estimatedCompletion",
            "must not be more than 730 days after the event's time 2026-11-02T09:00:00Z",
            id="estimatedCompletion-date-past-2-years",
        ),
        pytest.param(
            "Order Shipped",
            {**shipped(), "estimatedDelivery": "2030-01-01T12:00:00+01:00"},
            "estimatedDelivery",
            "must not be more than 730 days after the event's time 2026-11-02T09:00:00Z",
            id="estimatedDelivery-past-2-years",
        ),
    ],
)
def test_given_a_date_implausible_for_the_event_time_when_parsed_then_error_names_the_field(
    detail_type: str, detail: dict[str, Any], field: str, message: str
) -> None:
    assert problems(detail_type, detail) == {field: message}


def test_given_an_estimate_exactly_2_years_ahead_when_parsed_then_accepted() -> None:
    parse_detail("Production Delayed", {"orderId": "SO-1", "estimatedCompletion": "2028-11-01"}, EVENT_TIME)


def test_given_no_event_time_when_parsed_then_only_the_shape_is_checked() -> None:
    """The timeline re-reads stored events without an event time: what intake accepted stays readable."""
    parse_detail("Order Placed", placed_detail(placed_at="1990-01-01T00:00:00Z"))


def test_given_the_event_time_windows_then_each_names_a_date_field_of_a_model() -> None:
    aliases = {f.alias for model in DETAIL_TYPES.values() for f in model.model_fields.values()}
    assert set(EVENT_TIME_WINDOWS) <= aliases
    assert EVENT_TIME_WINDOWS["placedAt"] == (timedelta(days=30), timedelta(minutes=5))


@pytest.mark.parametrize(
    ("detail", "problem"),
    [
        pytest.param(
            ProductionCompleted(orderId="SO-1", completedAt=at("2026-11-02T08:59:00Z")),
            "completedAt: must not be before the order was placed (2026-11-02T10:00:00+01:00)",
            id="completed-a-minute-before",
        ),
        pytest.param(
            OrderDelivered(orderId="SO-1", deliveredAt=at("1970-01-01T00:00:00Z")),
            "deliveredAt: must not be before the order was placed (2026-11-02T10:00:00+01:00)",
            id="delivered-1970",
        ),
        pytest.param(
            ProductionDelayed(orderId="SO-1", estimatedCompletion=date(2026, 11, 1)),
            "estimatedCompletion: must not be before the order was placed (2026-11-02T10:00:00+01:00)",
            id="estimate-the-day-before",
        ),
        pytest.param(ProductionDelayed(orderId="SO-1", estimatedCompletion=date(2026, 11, 2)), None, id="same-day"),
        pytest.param(ProductionCompleted(orderId="SO-1"), None, id="no-date-given"),
        pytest.param(FeedbackReceived(orderId="SO-1", rating=5), None, id="no-date-field"),
    ],
)
def test_given_a_date_of_the_order_when_checked_against_its_placement_then_earlier_ones_are_named(
    detail: Any, problem: str | None
) -> None:
    placed_at_local = datetime.fromisoformat("2026-11-02T10:00:00+01:00")
    assert placement_problem(detail, placed_at_local) == problem


# --- the envelope and the internal source ------------------------------------------------------------------------


def envelope(**changes: Any) -> dict[str, Any]:
    return {
        "id": "evt-1",
        "detail-type": "Order Placed",
        "source": "com.example.shop",
        "time": "2026-11-02T09:00:00Z",
        "detail": placed_detail(),
        **changes,
    }


@pytest.mark.parametrize(("detail", "kind"), [([], "an array"), ("SO-1", "a string"), (None, "null"), (42, "a number")])
def test_given_a_detail_that_is_not_an_object_when_the_envelope_is_parsed_then_error_names_detail(
    detail: Any, kind: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_envelope(envelope(detail=detail))
    assert [(e["loc"], e["msg"]) for e in caught.value.errors()] == [
        (("detail",), f"must be a JSON object, got {kind}")
    ]


@pytest.mark.parametrize("raw", [[envelope()], "Order Placed", None, 7])
def test_given_an_event_that_is_not_an_object_when_parsed_then_one_error_naming_detail(raw: Any) -> None:
    with pytest.raises(ValueError, match=r"must be a JSON object \(an EventBridge event with .*detail\)"):
        parse_envelope(raw)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": "evt 1"}, "id"),
        ({"source": ""}, "source"),
        ({"detail-type": 5}, "detail-type"),
        ({"time": 1793610000}, "time"),
        ({"time": "yesterday"}, "time"),
    ],
)
def test_given_a_malformed_envelope_field_when_parsed_then_error_names_it(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_envelope(envelope(**changes))
    assert [e["loc"] for e in caught.value.errors()] == [(field,)]


def test_given_an_internal_detail_type_from_the_shop_when_checked_then_wrong_source() -> None:
    with pytest.raises(WrongSource, match=r"source: 'Timer Due' is an internal event, only 'outreach\.timer' sends it"):
        check_source(TIMER_DETAIL_TYPE, "com.example.shop")


def test_given_an_order_event_from_the_internal_source_when_checked_then_wrong_source() -> None:
    with pytest.raises(WrongSource, match=r"source: 'outreach\.timer' is internal and sends only"):
        check_source("Order Placed", TIMER_SOURCE)


def test_given_each_source_with_its_own_detail_types_when_checked_then_accepted() -> None:
    check_source(TIMER_DETAIL_TYPE, TIMER_SOURCE)
    check_source("Order Placed", "com.example.shop")


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("2026-11-02T09:05:01Z", "time: 2026-11-02T09:05:01Z is more than 5 minutes after it arrived"),
        ("2026-10-03T08:59:59Z", "time: 2026-10-03T08:59:59Z is more than 30 days before it arrived"),
    ],
)
def test_given_an_event_time_far_from_its_arrival_when_checked_then_rejected(time: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_received(at(time), EVENT_TIME)


# --- the same order, however it is spelled ------------------------------------------------------------------------


def test_given_the_same_order_spelled_differently_when_fingerprinted_then_equal() -> None:
    first = parse_detail("Order Placed", placed_detail())
    respelled = placed_detail(placed_at="2026-11-02T10:00:00+01:00")
    respelled["customer"]["name"] = "  Ada Lovelace "
    respelled["customer"]["channels"] = ["email"]  # the default, now given
    respelled["salesChannel"] = "showroom"  # an extra field
    respelled = dict(reversed(list(respelled.items())))
    assert fingerprint(parse_detail("Order Placed", respelled)) == fingerprint(first)


@pytest.mark.parametrize(
    ("path", "value"),
    [(("items", 0, "quantity"), 2), (("shippingAddress", "city"), "Hamburg"), (("placedAt",), "2026-11-02T09:01:00Z")],
)
def test_given_a_different_order_when_fingerprinted_then_different(path: tuple[Any, ...], value: Any) -> None:
    first = fingerprint(parse_detail("Order Placed", placed_detail()))
    assert fingerprint(parse_detail("Order Placed", with_change(path, value))) != first


def test_given_the_published_schema_then_it_states_the_bounds() -> None:
    schema = OrderPlaced.model_json_schema(by_alias=True)
    defs = schema["$defs"]
    assert schema["properties"]["productionDays"] == {
        "maximum": 365,
        "minimum": 1,
        "title": "Productiondays",
        "type": "integer",
    }
    assert schema["properties"]["items"]["maxItems"] == 50
    assert defs["Item"]["properties"]["description"]["maxLength"] == 120
    assert defs["Item"]["properties"]["sku"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$"


# --- the largest valid order fits its DynamoDB item, with room to spare -------------------------------------------

#: Every character of free text as 4 bytes of UTF-8, the worst case for DynamoDB's item size.
WIDE = "\U0001f6cb"  # couch and lamp
#: The domain does not bound re-quotes today (each slip past the promise re-quotes; silence re-quotes about
#: every 8 days while production stays silent): the size budget is stated for this many.
REQUOTES = 50  # the most re-quotes any configuration allows (maxRequotes <= 50)
DYNAMODB_ITEM_LIMIT = 400 * 1024


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item: attribute names plus values (strings as UTF-8, numbers up to 21 bytes)."""
    return sum(len(name.encode()) + (len(v.encode()) if isinstance(v, str) else 21) for name, v in item.items())


def largest_order() -> dict[str, Any]:
    domain = "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"
    return {
        "orderId": "O" * 64,
        "placedAt": "2026-11-02T09:00:00.123456+00:00",
        "customer": {
            "name": WIDE * 100,
            "email": "a" * 64 + "@" + domain,
            "phone": "+" + "4" * 15,
            "locale": "zhx-abcdefgh-abcdefgh-abcdefgh-abcd",
            "timezone": "America/Argentina/ComodRivadavia",
            "channels": ["email", "sms"],
        },
        "items": [{"sku": f"{n:02d}" + "S" * 62, "description": WIDE * 120, "quantity": 999} for n in range(50)],
        "productionDays": 14,
        "transitDays": 7,
        "shippingAddress": {
            "line1": WIDE * 100,
            "line2": WIDE * 100,
            "city": WIDE * 100,
            "postalCode": "P" * 16,
            "country": WIDE * 64,
        },
    }


def test_given_the_largest_valid_order_with_the_most_requotes_when_stored_then_far_below_the_item_limit() -> None:
    order = OrderRun(OutreachConfig.model_validate({"maxRequotes": REQUOTES}))
    detail = largest_order()
    placed = parse_detail("Order Placed", detail, at("2026-11-02T09:00:00Z"))
    assert isinstance(placed, OrderPlaced) and len(placed.customer.email) == 254

    def arrive(detail_type: str, body: dict[str, Any], when: datetime, n: int) -> None:
        parse_detail(detail_type, body, when)  # every event is valid at its own time
        event_id = f"{n:03d}" + "e" * 125  # the longest event id intake accepts: it is in every quote's cause
        order.run_until(when)
        order.step(
            [InboundEvent(eventId=event_id, detailType=detail_type, detail=body, time=when, receivedAt=when)], when
        )

    arrive("Order Placed", detail, at("2026-11-02T09:00:00Z"), 0)
    for n in range(1, REQUOTES + 3):  # each delay, 10 days before the promise, breaks it by a day (2 past the cap)
        assert order.state is not None
        promised = order.state.promised
        when = datetime.combine(promised - timedelta(days=10), datetime.min.time(), tzinfo=UTC)
        estimate = (promised - timedelta(days=order.state.transit_days - 1)).isoformat()
        body = {"orderId": "O" * 64, "estimatedCompletion": estimate, "reason": WIDE * 200}
        arrive("Production Delayed", body, when, n)
    shipment = {
        "orderId": "O" * 64,
        "carrier": "郵" * 64,
        "trackingNumber": "T" * 64,
        "trackingUrl": "https://track.example/" + "t" * 478,
        "deliveryDetails": WIDE * 1000,
    }
    arrive("Order Shipped", shipment, when, 900)
    arrive("Order Cancelled", {"orderId": "O" * 64, "reason": WIDE * 200}, when + timedelta(hours=1), 901)

    state = order.state
    assert state is not None
    assert len(state.quotes) - 1 == REQUOTES  # the rules stop re-quoting at the cap: the state cannot outgrow it
    state_item = {  # the orders table's STATE item, every attribute at its longest
        "pk": "ORDER#" + "O" * 64,
        "sk": "STATE",
        "orderId": "O" * 64,
        "runStatus": "cancelled",
        "placedEventId": "e" * 128,
        "placedFingerprint": "f" * 64,
        "placedAt": "2026-11-02T06:00:00.123456-03:00",
        "version": 99,
        "registeredAt": "2026-11-02T09:00:00.123456+00:00",
        # Stored compressed (adapters/orders.py ``pack_state``); counted as if the text did not compress at all.
        "state": zlib.decompress(pack_state(state)).decode(),
        "applied": "d" * DIGEST_BYTES * 30,  # a digest per event applied
        "waitToken": "w" * 2048,  # Step Functions task tokens are at most 2048 characters
        "timerName": "order-" + "h" * 20 + "-1793610000",
        "timerDueAt": "2026-11-02T09:00:00.123456+00:00",
    }
    placed_time = at("2026-11-02T09:00:00Z")
    placed_item = {  # the Order Placed event's item: the order's detail, written once
        "pk": "ORDER#" + "O" * 64,
        "sk": "EVENT#" + "e" * 128,
        "event": InboundEvent(
            eventId="e" * 128, detailType="Order Placed", detail=detail, time=placed_time, receivedAt=placed_time
        ).model_dump_json(by_alias=True),
    }
    state_size = item_bytes(state_item)  # the promise ledger is in it: every quote
    total = state_size + item_bytes(placed_item)
    assert item_bytes(placed_item) < DYNAMODB_ITEM_LIMIT / 10

    assert state_size < DYNAMODB_ITEM_LIMIT / 3, f"STATE {state_size} B"
    # And how far the STATE item alone is from the limit, counted in re-quotes (docs/contracts.md).
    per_requote = (state_size - item_bytes({**state_item, "state": order_without_quotes(state)})) / (
        len(state.quotes) - 1
    )
    assert (DYNAMODB_ITEM_LIMIT - state_size) / per_requote > 200
    assert total < 200 * 1024, f"STATE {state_size} B + Order Placed event: {total} B"


def order_without_quotes(state: Any) -> str:
    first = state.model_copy(deep=True)
    first.quotes = first.quotes[:1]
    first.triggers = {k: v for k, v in first.triggers.items() if not k.startswith("delay_notice")}
    first.issued = [k for k in first.issued if not k.startswith("delay_notice")]
    return zlib.decompress(pack_state(first)).decode()


def test_given_an_order_stored_before_a_bound_was_tightened_when_read_back_then_it_stays_readable(
    order: OrderRun,
) -> None:
    """Stored state is re-read with ``STORED``: types are checked, bounds are not (they were met on arrival)."""
    order.place()
    assert order.state is not None
    stored = json.loads(order.state.to_json())
    old_order = stored["order"]
    old_order["productionDays"] = 0  # allowed before (0..365)
    old_order["items"] = [{"sku": "SOFA 3S", "description": "d" * 250, "quantity": 5000}] * 60
    old_order["customer"]["email"] = "ada@example.test"
    old_order["customer"]["channels"] = ["email", "sms", "email"]
    text = json.dumps(stored)

    state = OrderState.model_validate_json(text, context=STORED)

    assert state.order.production_days == 0 and len(state.order.items) == 60
    with pytest.raises(ValidationError):
        OrderState.model_validate_json(text)  # as input, each of those is rejected
    stored["order"]["productionDays"] = "14"
    with pytest.raises(ValidationError, match="valid integer"):
        OrderState.model_validate_json(json.dumps(stored), context=STORED)  # types still hold
