"""The shared e-mail send-rate limiter on a (moto) DynamoDB table: who may send when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outreach_lambda.adapters.send_rate import SendRateLimiter

NOW = datetime(2026, 11, 2, 9, 0, 0, 500000, tzinfo=UTC)


def test_given_two_per_second_when_five_sends_reserve_at_once_then_two_go_now_and_the_rest_in_the_next_seconds(
    orders_table: str,
) -> None:
    limiter = SendRateLimiter(orders_table, 2)

    slots = [limiter.reserve(NOW) for _ in range(5)]

    whole = NOW.replace(microsecond=0)
    assert slots == [NOW, NOW, whole + timedelta(seconds=1), whole + timedelta(seconds=1), whole + timedelta(seconds=2)]
    assert limiter.reserve(NOW + timedelta(seconds=10)) == NOW + timedelta(seconds=10)  # an old window is reused


def test_given_one_send_every_two_seconds_when_three_reserve_at_once_then_they_go_two_seconds_apart(
    orders_table: str,
) -> None:
    limiter = SendRateLimiter(orders_table, 0.5)

    slots = [limiter.reserve(NOW) for _ in range(3)]

    assert slots == [
        NOW,
        NOW.replace(microsecond=0) + timedelta(seconds=2),
        NOW.replace(microsecond=0) + timedelta(seconds=4),
    ]
