"""schemathesis, run from our specs against the emulator, finds no answer that breaks the spec.

Each vendor's cases are signed in the test (a token, a UserSig, a CheckSum), so they reach the operation
itself. The checks are the conformance ones; the vendors' own semantics (Feishu answers 400 to an unknown
chat, Tencent answers 200 to everything) rule out schemathesis's opinions about which statuses valid or
invalid data should get.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from imgroup.emulator import EmulatorServer

SPECS = Path(__file__).resolve().parents[1] / "specs"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 12

# The ids the specs use as examples, so that explicit examples reach the success path too.
EXAMPLE_SEED = {
    "feishu": {
        "users": [{"open_id": "ou_7dab8a3d3cdcc9da365777c7ad535d62", "name": "张三"}],
        "chats": [
            {
                "chat_id": "oc_a0553eda9014c201e6969b478895c230",
                "owner": "cli_demo",
                "members": ["ou_9204a37300b3700d61effaa439f34295"],
            }
        ],
        "meeting_chats": [
            {
                "calendar_id": "feishu.cn_xxx@group.calendar.feishu.cn",
                "event_id": "75d28f9b-e35c-4230-8a83-123_0",
                "chat_id": "oc_xxx",
                "owner": "cli_demo",
            }
        ],
    },
    "tencent": {"groups": [{"group_id": "@TGS#2J4SZEAEL", "type": "Public", "owner": "user1"}]},
    "yunxin": {"teams": [{"team_id": "6001", "team_type": 1, "owner": "accid1"}]},
}


def signer_for(
    vendor: str,
    emu: EmulatorServer,
    tencent_usersig: Callable[..., str],
    yunxin_headers: Callable[..., dict[str, str]],
) -> Callable[[Any], None]:
    creds = emu.credentials[vendor]
    if vendor == "feishu":
        token = httpx.post(emu.base_url + "/open-apis/auth/v3/tenant_access_token/internal", json=creds).json()[
            "tenant_access_token"
        ]

        def sign_feishu(case: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

        return sign_feishu
    if vendor == "tencent":
        usersig = tencent_usersig(creds["sdkappid"], creds["secret_key"], creds["identifier"])

        def sign_tencent(case: Any) -> None:
            case.query = {
                **(case.query or {}),
                "sdkappid": creds["sdkappid"],
                "identifier": creds["identifier"],
                "usersig": usersig,
                "random": random.randrange(2**32),
                "contenttype": "json",
            }

        return sign_tencent

    def sign_yunxin(case: Any) -> None:
        case.headers = {**(case.headers or {}), **yunxin_headers(creds["app_key"], creds["app_secret"])}

    return sign_yunxin


@pytest.mark.parametrize(
    ("spec", "vendor"), [("feishu.yaml", "feishu"), ("tencent_im.yaml", "tencent"), ("yunxin.yaml", "yunxin")]
)
def test_schemathesis_finds_no_answer_that_breaks_the_spec(
    spec: str,
    vendor: str,
    imgroup_emulator: EmulatorServer,
    tencent_usersig: Callable[..., str],
    yunxin_headers: Callable[..., dict[str, str]],
) -> None:
    imgroup_emulator.seed(EXAMPLE_SEED)
    # Hypothesis calls fast; the documented limits would turn most cases into (conforming) 429s.
    imgroup_emulator.faults({"rate_limits": {op: 100_000 for op in imgroup_emulator.state()["rate_limited"][vendor]}})
    schema = schemathesis.openapi.from_path(SPECS / spec)
    sign = signer_for(vendor, imgroup_emulator, tencent_usersig, yunxin_headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    seen: list[tuple[str, int]] = []
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            sign(case)
            response = case.call_and_validate(base_url=imgroup_emulator.base_url, checks=CHECKS)
            seen.append((case.operation.label, response.status_code))

        run()
    assert {label for label, _ in seen} == {op.label for op in operations}
    assert len(imgroup_emulator.calls()) >= len(seen)
