"""Order events as they arrive on the bus: a bad event is rejected with the offending field named."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from domain_builders import at, placed_detail
from outreach_lambda.domain.events import (
    CatalogRequested,
    FeedbackReceived,
    OrderPlaced,
    OrderShipped,
    ProductionDelayed,
    UnknownDetailType,
    as_datetime,
    parse_detail,
)
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
