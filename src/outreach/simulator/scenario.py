"""Scenario files of ``outreach simulate`` (contract: DESIGN.md, "Local simulation contract")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.opt_outs import InvalidAddress, normalise
from outreach_lambda.settings import format_validation_error
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from outreach.simulator.faults import Fault

_DURATION = TypeAdapter(timedelta)
_INSTANT = TypeAdapter(AwareDatetime)


class ScenarioError(ValueError):
    pass


def resolve_time(value: str, start: datetime, field_name: str) -> datetime:
    """An ISO 8601 duration from ``start`` (``P13D``, ``PT2H``) or an absolute timestamp with offset."""
    if value.startswith(("P", "-P")):
        try:
            return start + _DURATION.validate_python(value)
        except ValidationError:
            raise ScenarioError(f"{field_name}: {value!r} is not an ISO 8601 duration like 'P13D' or 'PT2H'") from None
    try:
        return _INSTANT.validate_python(value).astimezone(UTC)
    except ValidationError:
        raise ScenarioError(
            f"{field_name}: {value!r} is neither an ISO 8601 duration nor a timestamp with offset"
        ) from None


class Click(BaseModel):
    """A customer's click on a one-click link of a message they really received (``{"click": {...}}``).

    The link is found in the last e-mail SES sent that carries a link for this order (or catalog request),
    action and rating; the click runs through the real action endpoint handler (GET shows, POST acts), and what
    the endpoint puts on the bus reaches intake. ``tamper`` changes one character of the link's signed part
    first; ``form`` is what the customer typed (a new address, a comment)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_id: str | None = Field(default=None, alias="orderId")
    request_id: str | None = Field(default=None, alias="requestId")
    action: Literal["rate", "confirm_address", "change_address", "unsubscribe", "callback"]
    rating: int | None = Field(default=None, ge=1, le=5)
    method: Literal["GET", "POST"] = "POST"
    form: dict[str, str] = Field(default_factory=dict)
    tamper: bool = False
    accept_language: str | None = Field(default=None, alias="acceptLanguage")

    @model_validator(mode="after")
    def _whose(self) -> Click:
        if (self.order_id is None) == (self.request_id is None):
            raise ValueError("click: exactly one of orderId or requestId")
        if (self.action == "rate") != (self.rating is not None):
            raise ValueError("click: a rating (1-5) with action 'rate', and only then")
        return self


class ScenarioEvent(BaseModel):
    """One event of a scenario. Its ``detail`` is passed to intake as it is, whatever it holds (an array, a
    string, null: intake rejects those), so a scenario can show how any input is judged.

    Two short forms: ``{"at": ..., "click": {...}}`` (a customer's click, see ``Click``) and
    ``{"at": ..., "customerMessage": {...}}`` (a ``Customer Message Received`` event with that detail)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    at: str = "PT0S"
    detail_type: str = Field(default="", alias="detailType")
    detail: Any = Field(default=None, description="the event's detail, passed to intake unchecked")
    click: Click | None = None
    id: str | None = Field(default=None, description="EventBridge event id; repeat one to simulate a redelivery")
    source: str = "com.example.shop"
    _payload: Any = PrivateAttr(default=None)
    _raw: bool = PrivateAttr(default=False)

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, value: Any) -> Any:
        if isinstance(value, dict) and "customerMessage" in value:
            rest = {k: v for k, v in value.items() if k != "customerMessage"}
            return {**rest, "detailType": "Customer Message Received", "detail": value["customerMessage"]}
        return value

    @model_validator(mode="after")
    def _an_event_or_a_click(self) -> ScenarioEvent:
        if (getattr(self, "__pydantic_private__", None) or {}).get("_raw"):
            return self  # not an object at all: handed to intake as it is (not_an_object)
        if self.click is None and not self.detail_type:
            raise ValueError("each event needs detailType (with detail), click or customerMessage")
        if self.click is not None and self.detail_type:
            raise ValueError("an event is either a click or a detailType, not both")
        return self

    @classmethod
    def not_an_object(cls, payload: Any) -> ScenarioEvent:
        """An entry of ``events`` that is not a JSON object: handed to intake as the whole invocation, at start."""
        event = cls.model_construct(at="PT0S", detail_type="", detail=None)
        event._payload = payload
        event._raw = True
        return event

    @property
    def raw_payload(self) -> Any:
        """The invocation to hand to intake instead of an EventBridge event built from the fields, if any."""
        return self._payload

    @property
    def is_raw(self) -> bool:
        return self._raw


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    start: AwareDatetime
    until: str = "P60D"
    config: dict[str, Any] = Field(default_factory=dict)
    events: list[ScenarioEvent] = Field(default_factory=list)
    faults: list[Fault] = Field(default_factory=list, description="provider errors, lost timers, crashes")
    redrives: list[str] = Field(
        default_factory=list, description="instants at which parked contacts are redriven (outreach contacts redrive)"
    )
    opt_outs: list[str] = Field(
        default_factory=list,
        alias="optOuts",
        max_length=10_000,
        description="addresses (e-mail or E.164 phone) on the shop's opt-out list from the start",
    )
    suppressed: list[str] = Field(
        default_factory=list, max_length=10_000, description="e-mail addresses on the SES account suppression list"
    )

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("events", mode="before")
    @classmethod
    def _non_objects_pass_through(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [e if isinstance(e, dict | ScenarioEvent) else ScenarioEvent.not_an_object(e) for e in value]

    def end(self) -> datetime:
        return resolve_time(self.until, self.start, "until")

    def at(self, value: str, field_name: str = "at") -> datetime:
        """An instant of this scenario: a duration from its start, or a timestamp."""
        return resolve_time(value, self.start, field_name)

    def timed_events(self) -> list[tuple[datetime, int, ScenarioEvent]]:
        """Events with their instants, in time order (file order on ties)."""
        out = [(resolve_time(e.at, self.start, f"events[{i}].at"), i, e) for i, e in enumerate(self.events)]
        return sorted(out, key=lambda t: (t[0], t[1]))


def load(path: str | Path) -> Scenario:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON: {exc}") from None
    return parse(raw, str(path))


def parse(raw: Any, origin: str = "scenario") -> Scenario:
    try:
        scenario = Scenario.model_validate(raw)
        scenario.end()
        scenario.timed_events()
        for i, fault in enumerate(scenario.faults):
            if scenario.at(fault.until, f"faults[{i}].until") <= scenario.at(fault.start, f"faults[{i}].from"):
                raise ScenarioError(f"faults[{i}]: 'until' must be after 'from'")
        for i, when in enumerate(scenario.redrives):
            scenario.at(when, f"redrives[{i}]")
        for name, addresses in (("optOuts", scenario.opt_outs), ("suppressed", scenario.suppressed)):
            for i, address in enumerate(addresses):
                try:
                    normalise(address, f"{name}[{i}]")
                except InvalidAddress as exc:
                    raise ScenarioError(str(exc)) from None
    except ValidationError as exc:
        raise ScenarioError(f"{origin}: {format_validation_error(exc)}") from None
    except ScenarioError as exc:
        raise ScenarioError(f"{origin}: {exc}") from None
    try:
        OutreachConfig.model_validate(scenario.config)  # the bounds of the deployed configuration
    except ValidationError as exc:
        problems = "; ".join(f"config.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ScenarioError(f"{origin}: {problems}") from None
    return scenario
