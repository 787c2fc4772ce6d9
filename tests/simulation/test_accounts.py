"""Fast path 43 (``outreach.simulator.accounts``): the account of a request and the access key's last use are moto's.

Given IAM keys in two accounts (and requests with no key, a key IAM does not know, a key in the query string, an
account header, ``MOTO_ACCOUNT_ID``), when requests are made with and without the fast path, then the access key,
the account, the answers and the IAM state (each key's last use, the accounts and partitions built) are the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.base_backend import AccountSpecificBackend, BackendDict
from moto.core.responses import BaseResponse
from moto.iam import models as iam_models
from werkzeug.datastructures import Headers

from outreach.simulator import accounts
from outreach.simulator.patching import installed


@pytest.fixture(autouse=True)
def _forget_marks() -> Iterator[None]:
    """This module installs fast path 76 by hand: its marks must not outlive a test (``patched`` forgets its own)."""
    yield
    accounts.clear()


REGION = "eu-central-1"
OTHER_ACCOUNT = "222233334444"


def _response(headers: list[tuple[str, str]], querystring: dict[str, list[str]] | None = None) -> BaseResponse:
    response = BaseResponse(service_name="sqs")
    response.headers = Headers(headers)
    response.querystring = querystring or {}
    return response


def _iam_state() -> Any:
    """Every account and partition IAM has built, each access key with its last use, and the registration."""
    return (
        {
            account_id: {
                partition: {key: vars(k.last_used) if k.last_used else None for key, k in backend.access_keys.items()}
                for partition, backend in dict(account).items()
            }
            for account_id, account in dict(iam_models.iam_backends).items()
        },
        any(known is iam_models.iam_backends for known in BackendDict._instances),  # type: ignore[misc]
    )


def _conversation(keys: dict[str, str]) -> list[Any]:
    """Lookups and calls of every kind; what each answered."""
    out: list[Any] = []
    auth = "AWS4-HMAC-SHA256 Credential={}/20261102/eu-central-1/sqs/aws4_request, SignedHeaders=host, Signature=x"
    requests = [
        _response([]),
        _response([("Authorization", auth.format(keys["default"]))]),
        _response([("authorization", auth.format(keys["other"]))]),
        _response([("Authorization", auth.format("AKIAUNKNOWN00000000"))]),
        _response([("Authorization", "not a signature")]),
        _response([], {"AWSAccessKeyId": [keys["other"]]}),
        _response([("x-moto-account-id", "999988887777")]),
    ]
    for response in requests:
        out.append((response.get_access_key(), response.get_current_account()))
        iam_models.mark_account_as_visited(
            account_id=response.get_current_account(),
            access_key=response.get_access_key(),
            service="sqs",
            region=REGION,
        )
    # an account and a region met for the first time: moto builds their backends
    iam_models.mark_account_as_visited(
        account_id="555566667777", access_key="AKIAX", service="sqs", region="cn-north-1"
    )
    out.append(iam_models.get_account_id_from(keys["other"]))
    for role in ("default", "other"):
        sqs = boto3.client(
            "sqs", region_name=REGION, aws_access_key_id=keys[role], aws_secret_access_key=keys[f"{role}_secret"]
        )
        out.append(sqs.create_queue(QueueName=f"q-{role}")["QueueUrl"])
    out.append(_iam_state())
    return out


def _run(fast: bool, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False), mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        iam.create_user(UserName="ada")
        default = iam.create_access_key(UserName="ada")["AccessKey"]
        iam_models.iam_backends[OTHER_ACCOUNT]["aws"].create_user(region_name=REGION, user_name="bob", path="/")
        other = iam_models.iam_backends[OTHER_ACCOUNT]["aws"].create_access_key(user_name="bob")
        keys = {
            "default": default["AccessKeyId"],
            "default_secret": default["SecretAccessKey"],
            "other": other.access_key_id,
            "other_secret": other.secret_access_key,
        }
        with installed(accounts.PATCHES if fast else []):
            out = _conversation(keys)
            monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
            out.append(_response([]).get_current_account())
            monkeypatch.delenv("MOTO_ACCOUNT_ID")
        # the keys are random: name them by role
        return [repr(out).replace(keys["default"], "<default>").replace(keys["other"], "<other>")]


def test_given_iam_keys_in_two_accounts_when_requests_are_looked_up_then_account_keys_and_iam_state_are_motos(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run(True, monkeypatch) == _run(False, monkeypatch)


def test_given_the_patches_then_moto_and_direct_calls_use_the_fast_lookups() -> None:
    from outreach.simulator import direct_calls

    with installed(accounts.PATCHES):
        assert iam_models.mark_account_as_visited is accounts.mark_account_as_visited
        assert direct_calls.mark_account_as_visited is accounts.mark_account_as_visited
        assert BaseResponse.get_current_account is accounts.get_current_account


# -- fast path 76: backend lookups ---------------------------------------------------------------------------------
class _Backend:
    def __init__(self, region_name: str, account_id: str) -> None:
        self.region_name, self.account_id = region_name, account_id

    def reset(self) -> None:
        pass


_lookups = st.lists(
    st.one_of(
        st.tuples(st.just("get"), st.integers(0, 2), st.sampled_from(["111122223333", OTHER_ACCOUNT, "333344445555"])),
        st.tuples(st.just("del"), st.integers(0, 2), st.sampled_from(["111122223333", OTHER_ACCOUNT])),
        st.tuples(st.just("set"), st.integers(0, 2), st.sampled_from(["111122223333", OTHER_ACCOUNT])),
        st.tuples(st.just("reset"), st.just(0), st.just("")),
        st.tuples(st.just("end of run"), st.just(0), st.just("")),
    ),
    max_size=25,
)


def _play(operations: list[tuple[str, int, str]], fast: bool) -> list[Any]:
    """Play lookups, accounts put in or deleted directly, and resets on three fresh BackendDicts: what each step shows
    (each object named by first sight)."""
    saved = list(BackendDict._instances)  # type: ignore[misc]
    dicts = [BackendDict(_Backend, "sqs", use_boto3_regions=False, additional_regions=[REGION]) for _ in range(3)]
    names: dict[int, int] = {}
    kept: list[Any] = []  # every object found stays alive: its id names it for the whole play
    seen: list[Any] = []
    try:
        with installed(accounts.PATCHES if fast else []):
            for op, which, account in operations:
                backends = dicts[which]
                if op == "get":
                    found = backends[account]
                    kept.append(found)
                    seen.append(("got", names.setdefault(id(found), len(names)), found.account_id))
                elif op == "del" and account in backends:
                    del backends[account]
                elif op == "set":  # an account put in directly: the dict is not registered by that
                    backends[account] = AccountSpecificBackend("sqs", account, _Backend, False, [REGION])
                elif op == "reset":
                    BackendDict.reset()
                elif op == "end of run" and fast:
                    accounts.clear()
                seen.append(
                    [
                        (any(known is d for known in BackendDict._instances), sorted(dict.keys(d)))  # type: ignore[misc]
                        for d in dicts
                    ]
                )
    finally:
        BackendDict._instances[:] = saved  # type: ignore[misc]
    return seen


@settings(max_examples=200, deadline=None)
@given(_lookups)
def test_given_lookups_deletions_and_resets_then_backend_lookups_answer_and_register_as_motos(operations):
    assert _play(operations, fast=True) == _play(operations, fast=False)


def test_given_a_registered_backend_dict_when_looked_up_again_then_the_same_object_comes_back_without_moto() -> None:
    backends = BackendDict(_Backend, "sqs", use_boto3_regions=False, additional_regions=[REGION])
    saved = list(BackendDict._instances)  # type: ignore[misc]
    try:
        with installed(accounts.PATCHES):
            first = backends[OTHER_ACCOUNT]
            with installed([(BackendDict, "_create_account_specific_backend", None)]):  # moto's way would fail
                again = backends[OTHER_ACCOUNT]
    finally:
        BackendDict._instances[:] = saved  # type: ignore[misc]

    assert again is first
