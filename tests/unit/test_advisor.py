"""The padding advisor (`outreach advise-padding`): which factor would have kept a shop's past promises?

The hand-checked history: 20 delivered orders, all placed 2026-03-02 10:00 UTC with 14 production + 7 transit
= 21 internal days; 10 arrive on day 18, 7 on day 21 and 3 on day 28; 2 more orders are undelivered.
Rounding to whole days, factor 1 promises day 21 (3 broken = 15%, padding (10*3 + 7*0 - 3*7) / 20 = 0.45),
13/12 -> 23, 7/6 -> 25, 5/4 -> 27 still break those 3, and 4/3 promises day 28: none broken, padding
(10*10 + 7*7 + 3*0) / 20 = 7.45.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest

from outreach.advisor import (
    HistoryError,
    advise,
    default_factors,
    evaluate,
    parse_factors,
    parse_history,
    parse_target,
)
from outreach.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "history" / "orders_history.csv"
GENERATOR = ROOT / "examples" / "history" / "generate_history.py"
HEADER = "orderId,placedAt,productionDays,transitDays,deliveredAt"


def hand_checked_csv() -> str:
    rows = [HEADER]
    deliveries = ["2026-03-20T15:00:00Z"] * 10 + ["2026-03-23T15:00:00Z"] * 7 + ["2026-03-30T15:00:00Z"] * 3
    for number, delivered in enumerate(deliveries, start=1):
        rows.append(f"SO-{number},2026-03-02T10:00:00Z,14,7,{delivered}")
    rows.append("SO-21,2026-03-02T10:00:00Z,14,7,")
    rows.append("SO-22,2026-03-02T10:00:00+00:00,14,7,")
    return "\n".join(rows) + "\n"


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(hand_checked_csv(), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["advise-padding", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the math ----------------------------------------------------------------------------------------------


def test_given_3_of_20_late_by_a_week_when_advising_at_5_percent_then_4_3_is_the_smallest_factor_that_keeps_them() -> (
    None
):
    advice = advise(parse_history(hand_checked_csv().splitlines()), target=Fraction(5, 100), rounding="days")

    assert advice.recommended is not None
    assert advice.recommended.factor == Fraction(4, 3)
    broken = {r.factor: r.broken for r in advice.results}
    assert broken[Fraction(1)] == broken[Fraction(13, 12)] == broken[Fraction(7, 6)] == broken[Fraction(5, 4)] == 3
    assert broken[Fraction(4, 3)] == 0


def test_given_the_hand_checked_history_when_evaluated_at_factor_1_then_rate_padding_and_quote_are_exact() -> None:
    history = parse_history(hand_checked_csv().splitlines())

    result = evaluate(history.orders, Fraction(1), "days")

    assert result.delivered == 20
    assert result.broken_rate == Fraction(3, 20)
    assert result.avg_padding_days == Fraction(9, 20)
    assert result.avg_quoted_days == 21


def test_given_the_hand_checked_history_when_evaluated_at_4_3_then_no_promise_breaks_and_padding_is_7_45() -> None:
    history = parse_history(hand_checked_csv().splitlines())

    result = evaluate(history.orders, Fraction(4, 3), "days")

    assert result.broken == 0
    assert result.avg_padding_days == Fraction(149, 20)
    assert result.avg_quoted_days == 28


def test_given_a_target_exactly_at_the_factor_1_rate_when_advising_then_factor_1_meets_it() -> None:
    advice = advise(parse_history(hand_checked_csv().splitlines()), target=Fraction(15, 100), rounding="days")

    assert advice.recommended is not None
    assert advice.recommended.factor == 1


def test_given_week_rounding_when_advising_then_13_12_already_rounds_21_days_up_to_4_weeks() -> None:
    advice = advise(parse_history(hand_checked_csv().splitlines()), rounding="weeks")

    assert advice.recommended is not None
    assert advice.recommended.factor == Fraction(13, 12)
    assert advice.recommended.avg_quoted_days == 28


def test_given_undelivered_orders_when_advising_then_they_are_skipped_and_counted() -> None:
    advice = advise(parse_history(hand_checked_csv().splitlines()))

    assert advice.delivered == 20
    assert advice.skipped_undelivered == 2


def test_given_a_timezone_column_when_advising_then_dates_are_the_customers_local_calendar() -> None:
    # Placed 23:30 on 1 March in New York (already 2 March in UTC); delivered 09:00 on 23 March New York time.
    # Local: promised 1 Mar + 21 = 22 Mar, delivered 23 Mar -> broken. In UTC: promised 23 Mar = delivered.
    row = "NY-1,2026-03-01T23:30:00-05:00,14,7,2026-03-23T09:00:00-04:00"
    local = parse_history([HEADER + ",timezone", row + ",America/New_York"])
    utc = parse_history([HEADER, row])

    assert evaluate(local.orders, Fraction(1), "days").broken == 1
    assert evaluate(utc.orders, Fraction(1), "days").broken == 0


def test_given_no_factors_when_advising_then_candidates_run_from_1_to_2_in_twelfths_including_4_3() -> None:
    factors = default_factors()

    assert factors == [Fraction(12 + step, 12) for step in range(13)]
    assert Fraction(4, 3) in factors


def test_given_factor_and_target_text_when_parsed_then_fractions_decimals_and_percent_are_exact() -> None:
    assert parse_factors("1.5, 1,5/4,1.25") == [Fraction(1), Fraction(5, 4), Fraction(3, 2)]
    assert parse_target("0.05") == parse_target("5%") == Fraction(1, 20)
    with pytest.raises(ValueError, match="at least 1"):
        parse_factors("0.9,1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_target("5")


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "value", "problem"),
    [
        (3, "placedAt", "yesterday", "cannot parse"),
        (2, "productionDays", "ten", "cannot parse"),
        (4, "transitDays", "-2", "negative"),
        (2, "productionDays", "14.5", "whole number"),
        (3, "deliveredAt", "2026-03-20T15:00:00", "no UTC offset"),
        (2, "deliveredAt", "2026-02-20T15:00:00Z", "before placedAt"),
        (3, "orderId", "SO-1", "duplicate"),
    ],
)
def test_given_a_bad_value_when_parsing_then_the_error_names_row_and_column(
    row: int, column: str, value: str, problem: str
) -> None:
    lines = hand_checked_csv().splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)

    with pytest.raises(HistoryError, match=problem) as error:
        parse_history(lines, source="h.csv")

    assert f'h.csv row {row}, column "{column}"' in str(error.value)


def test_given_an_unknown_time_zone_when_parsing_then_the_error_names_row_and_timezone_column() -> None:
    with pytest.raises(HistoryError, match=r'row 2, column "timezone": unknown IANA time zone'):
        parse_history([HEADER + ",timezone", "SO-1,2026-03-02T10:00:00Z,14,7,,Mars/Olympus_Mons"])


def test_given_no_delivered_orders_when_advising_then_there_is_nothing_to_learn_from() -> None:
    with pytest.raises(HistoryError, match="no delivered orders"):
        advise(parse_history([HEADER, "SO-1,2026-03-02T10:00:00Z,14,7,"]))


# --- the command -------------------------------------------------------------------------------------------


def test_given_a_history_when_the_command_runs_then_it_prints_the_table_marks_4_3_and_exits_0(
    history_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(history_file), "--rounding", "days")

    assert code == 0
    assert "factor" in out
    assert "broken" in out
    assert "avg padding" in out
    assert "avg quoted" in out
    assert "20 delivered orders, 2 undelivered orders skipped" in out
    table = {line.split()[0]: line for line in out.splitlines() if re.match(r"[12]\.\d{3}", line)}
    assert table["1.000"].split()[1:4] == ["15.00%", "0.5", "21.0"]
    assert table["1.333"].split()[2:5] == ["0.00%", "7.5", "28.0"]
    assert table["1.333"].endswith("<- recommended")
    assert sum("<- recommended" in line for line in out.splitlines()) == 1
    assert "Recommended: factor 4/3" in out


def test_given_json_when_the_command_runs_then_it_prints_one_object_with_every_candidate(
    history_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(history_file), "--rounding", "days", "--json")

    assert code == 0
    report = json.loads(out)
    assert set(report) == {
        "source",
        "rounding",
        "target",
        "deliveredOrders",
        "skippedUndelivered",
        "recommendation",
        "candidates",
    }
    assert (report["rounding"], report["target"], report["deliveredOrders"], report["skippedUndelivered"]) == (
        "days",
        0.05,
        20,
        2,
    )
    assert len(report["candidates"]) == 13
    first = report["candidates"][0]
    assert first == {
        "factor": "1",
        "factorDecimal": 1.0,
        "brokenOrders": 3,
        "brokenRate": 0.15,
        "avgPaddingDays": 0.45,
        "avgQuotedDays": 21.0,
        "meetsTarget": False,
    }
    assert report["recommendation"]["factor"] == "4/3"
    assert report["recommendation"]["brokenRate"] == 0.0
    assert report["recommendation"]["avgPaddingDays"] == 7.45


def test_given_an_unreachable_target_when_the_command_runs_then_it_says_so_and_exits_1(
    history_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(history_file), "--rounding", "days", "--factors", "1,1.25", "--target", "0.1")

    assert code == 1
    assert "<- recommended" not in out
    assert "No recommendation" in out
    assert "no candidate factor keeps broken promises at or below 10%" in err
    assert "1.250, still breaks 15.00% (3 of 20)" in err


def test_given_an_unreachable_target_and_json_when_the_command_runs_then_recommendation_is_null_and_exit_1(
    history_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, str(history_file), "--rounding", "days", "--factors", "1", "--json")

    assert code == 1
    assert json.loads(out)["recommendation"] is None


def test_given_a_malformed_csv_when_the_command_runs_then_it_exits_2_naming_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\nSO-1,2026-03-02T10:00:00Z,14,7,\nSO-2,2026-03-02T10:00:00Z,14,seven,\n")

    code, out, err = run(capsys, str(path))

    assert code == 2
    assert out == ""
    assert 'row 3, column "transitDays"' in err
    assert "'seven'" in err


def test_given_a_missing_column_when_the_command_runs_then_it_exits_2_naming_the_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("orderId,placedAt,productionDays,deliveredAt\nSO-1,2026-03-02T10:00:00Z,14,\n")

    code, _, err = run(capsys, str(path))

    assert code == 2
    assert 'row 1: missing column "transitDays"' in err


def test_given_a_missing_file_when_the_command_runs_then_it_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope.csv"))

    assert code == 2
    assert "cannot read" in err


def test_given_bad_factors_when_the_command_runs_then_it_is_a_usage_error(
    history_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["advise-padding", str(history_file), "--factors", "0.5,1"])

    assert exited.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_given_plot_when_the_command_runs_then_a_png_is_written(
    history_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "padding.png"

    code, _, _ = run(capsys, str(history_file), "--rounding", "days", "--plot", str(png))

    assert code == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_given_no_matplotlib_when_plot_is_asked_then_it_exits_2_naming_the_extra(
    history_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` raise ImportError
    png = tmp_path / "padding.png"

    code, out, err = run(capsys, str(history_file), "--plot", str(png))

    assert code == 2
    assert out == ""
    assert "outreach[plot]" in err
    assert not png.exists()


# --- the example history -----------------------------------------------------------------------------------


def load_generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_history", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_given_the_example_history_when_advising_then_a_factor_between_1_and_2_is_recommended(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, str(EXAMPLE), "--json")

    assert code == 0
    report = json.loads(out)
    assert 1 <= report["recommendation"]["factorDecimal"] <= 2
    assert report["skippedUndelivered"] > 0
    assert report["deliveredOrders"] + report["skippedUndelivered"] == 2000


def test_given_the_generator_when_run_with_its_defaults_then_it_reproduces_the_checked_in_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = load_generator(monkeypatch)
    out = tmp_path / "history.csv"

    assert generator.main(["--out", str(out)]) == 0

    assert out.read_bytes() == EXAMPLE.read_bytes()
    assert EXAMPLE.stat().st_size < 300_000
