"""The deployment configuration of one stage: who sends, who hears about problems, and the shop's policy.

One JSON file per stage (``config/dev.json``, ``config/prod.json``), validated at synth with errors that name
the field. The shop's policy part is the same ``OutreachConfig`` the Lambdas validate at cold start. A ``prod``
configuration refuses placeholder values (example.com addresses, the default shop name and phone number, no
ops subscriber): they would reach customers, or leave every alarm unheard.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from outreach_lambda.domain.config import OutreachConfig
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO_ROOT / "config"

#: The Powertools for AWS Lambda (Python) public layer: the release the code is tested with
#: (pyproject.toml pins aws-lambda-powertools==3.37.0) and its layer version number.
POWERTOOLS_VERSION = "3.37.0"
POWERTOOLS_LAYER_ACCOUNT = "017000801446"
POWERTOOLS_LAYER_NAME = "AWSLambdaPowertoolsPythonV3-python312-x86_64"
#: NOT VERIFIED: no source available here maps 3.37.0 to its layer version (seen: 3.23.0 is layer 27; one layer
#: per release since gives 41). Check before the first deploy, and whenever the pin above changes:
#: ``aws lambda get-layer-version-by-arn --arn <arn>`` prints a Description naming the Powertools version.
#: A stage may set ``powertoolsLayerVersion`` to override it.
POWERTOOLS_LAYER_VERSION = 41

#: Domains and values that are placeholders, never a real shop's (RFC 2606 names and the defaults).
PLACEHOLDER_DOMAINS = re.compile(r"(^|\.)(example\.(com|org|net)|example|invalid|localhost|test)$", re.IGNORECASE)
PLACEHOLDER_SHOP_NAMES = frozenset({OutreachConfig().shop_name})
#: The default support phone, and the North American fictional range 555-01xx.
PLACEHOLDER_PHONE = re.compile(r"^\+?1?[ ()./-]*555[ ()./-]*01\d\d$")


class Stage(StrEnum):
    DEV = "dev"
    PROD = "prod"


class DeployConfigError(ValueError):
    """A deployment configuration is missing or invalid; the message names the file and the field."""


def _email(value: str) -> str:
    # SES takes ASCII addresses only (an internationalised domain in its punycode form); the Lambdas' mime()
    # refuses anything else, so every e-mail would be parked.
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(f"must be an e-mail address: {exc}") from None
    if not value.isascii():
        raise ValueError(f"must be an ASCII e-mail address (a domain in its punycode form, xn--...), got {value!r}")
    return value


def _e164(value: str) -> str:
    if not re.fullmatch(r"\+[1-9]\d{6,14}", value):
        raise ValueError(f"must be a phone number in E.164 form like +4915112345678, got {value!r}")
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Phone = Annotated[str, AfterValidator(_e164)]


class OpsSubscribers(BaseModel):
    """Who is subscribed to the ops topic: every alarm and every ops alert reaches them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: list[Email] = Field(default_factory=list, max_length=20)
    sms: list[Phone] = Field(default_factory=list, max_length=20)


class DeploymentConfig(BaseModel):
    """One stage's deployment: ``config/<stage>.json``. Field names are camelCase."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    stage: Stage
    sender_email: Email = Field(alias="senderEmail", description="verified SES identity customer mail is sent from")
    reply_to: Email | None = Field(
        default=None, alias="replyTo", description="where customers' replies go (default: the sender)"
    )
    ops_subscribers: OpsSubscribers = Field(default_factory=OpsSubscribers, alias="opsSubscribers")
    log_retention_days: int = Field(default=30, ge=1, le=3653, alias="logRetentionDays", strict=True)
    archive_retention_days: int = Field(default=30, ge=1, le=3650, alias="archiveRetentionDays", strict=True)
    powertools_layer_version: int = Field(
        default=POWERTOOLS_LAYER_VERSION, ge=1, alias="powertoolsLayerVersion", strict=True
    )
    #: The shop's policy (padding, quiet hours, SES rate, shop name, phone ...), exactly as the Lambdas read it.
    shop: OutreachConfig = Field(default_factory=OutreachConfig)

    @property
    def reply_to_address(self) -> str:
        return self.reply_to or self.sender_email

    @model_validator(mode="after")
    def _no_placeholders_in_prod(self) -> DeploymentConfig:
        if self.stage is not Stage.PROD:
            return self
        problems = []
        addresses = {"senderEmail": self.sender_email, "replyTo": self.reply_to}
        addresses |= {f"opsSubscribers.email.{i}": a for i, a in enumerate(self.ops_subscribers.email)}
        for field, address in addresses.items():
            if address and PLACEHOLDER_DOMAINS.search(address.rsplit("@", 1)[-1]):
                problems.append(f"{field}: {address!r} is a placeholder address; use the shop's own")
        if self.shop.shop_name in PLACEHOLDER_SHOP_NAMES:
            problems.append(f"shop.shopName: {self.shop.shop_name!r} is the placeholder shop name")
        if PLACEHOLDER_PHONE.match(self.shop.support_phone):
            problems.append(f"shop.supportPhone: {self.shop.support_phone!r} is a placeholder phone number")
        if not (self.ops_subscribers.email or self.ops_subscribers.sms):
            problems.append("opsSubscribers: nobody is subscribed to the ops topic: every alarm would go unheard")
        if problems:
            raise ValueError("prod refuses placeholders: " + "; ".join(problems))
        return self


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)


def config_path(stage: str) -> Path:
    return CONFIG_DIR / f"{stage}.json"


def load(path: Path, stage: str | None = None) -> DeploymentConfig:
    """Read and validate a deployment configuration file; ``stage`` (if given) must be the file's stage."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeployConfigError(f"{path}: no such deployment configuration (copy config/dev.json)") from None
    except json.JSONDecodeError as exc:
        raise DeployConfigError(f"{path}: not valid JSON: {exc}") from None
    try:
        config = DeploymentConfig.model_validate(raw)
    except ValidationError as exc:
        raise DeployConfigError(f"{path}: {_describe(exc)}") from None
    if stage is not None and config.stage.value != stage:
        raise DeployConfigError(f"{path}: stage: the file is for {config.stage.value!r}, not {stage!r}")
    return config
