"""How the command line reports outcomes: secrets scrubbed, errors described, results made JSON-ready."""

from __future__ import annotations

import json

import pytest
from boundary_runs import fail_through_the_boundary

from imgroup.cli._boundary import describe
from imgroup.cli._report import Reporter, error_fields, result_fields
from imgroup.cli._scrub import REDACTED


def _api_error(message: str, code: int = 70009) -> Exception:
    from tencent_im.error_codes import lookup
    from tencent_im.errors import UnauthenticatedError

    return UnauthenticatedError(
        code=code, message=message, http_status=200, operation="destroy_group", request_id=None, info=lookup(code)
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_a_secret_the_vendor_echoes_back_is_redacted(as_json: bool) -> None:
    result = fail_through_the_boundary(
        _api_error("bad key s3cr3t-key-value"), secrets=["s3cr3t-key-value"], as_json=as_json
    )
    assert result.exit_code == 1
    assert "s3cr3t-key-value" not in result.stdout + result.stderr
    assert f"bad key {REDACTED}" in result.stderr
    if as_json:
        assert json.loads(result.stdout)["error"]["message"] == f"bad key {REDACTED}"


def test_an_api_error_is_one_line_with_the_code_the_message_and_what_to_do() -> None:
    result = fail_through_the_boundary(_api_error("Failed to verify UserSig with the key."))
    assert result.stderr == (
        "imgroup tencent destroy-group: [70009] Failed to verify UserSig with the key. — Use the app's current "
        "secret key from the console; check TENCENT_IM_SDKAPPID and TENCENT_IM_SECRET_KEY\n"
    )
    assert result.stdout == ""


def test_a_command_that_is_not_the_operation_names_the_vendor_and_the_operation() -> None:
    result = fail_through_the_boundary(_api_error("odd", code=10010), command="survey")
    assert result.stderr.startswith("imgroup tencent survey: tencent destroy_group: [10010] odd — ")


def test_unknown_code_points_at_the_catalogue() -> None:
    from tencent_im.errors import ApiError

    error = ApiError(code=123456, message="odd\nmessage", http_status=200, operation="destroy_group")
    line, status = describe("imgroup tencent destroy-group", error)
    assert status == 1
    assert line == (
        "imgroup tencent destroy-group: [123456] odd message (HTTP 200) — not in the catalogue: "
        "imgroup errors list tencent"
    )


def test_a_refused_connection_points_at_the_base_url() -> None:
    from tencent_im.errors import ApiConnectionError

    line, status = describe("imgroup offboard", ApiConnectionError("get_joined_group_list", "refused", refused=True))
    assert status == 1
    assert line == (
        "imgroup offboard: tencent get_joined_group_list: no answer (refused) — nothing listens there: "
        "check the base URL (TENCENT_IM_BASE_URL, --base-url)"
    )


def test_no_answer_is_described_as_retryable() -> None:
    from tencent_im.errors import ApiConnectionError

    details = error_fields(ApiConnectionError("destroy_group", "connection refused"))
    assert details == {
        "kind": "no_answer",
        "message": "destroy_group: no answer (connection refused)",
        "retryable": True,
    }


def test_result_fields_of_each_kind_of_answer() -> None:
    from feishu_im.facade import Disbanded
    from feishu_im.models.remove_chat_members_data import RemoveChatMembersData

    assert result_fields(None) == {}
    assert result_fields(Disbanded(already_gone=True, request_id="r1", attempts=2)) == {
        "already_gone": True,
        "request_id": "r1",
        "attempts": 2,
    }
    assert result_fields(RemoveChatMembersData(invalid_id_list=["ou_bad"])) == {"invalid_id_list": ["ou_bad"]}


def test_human_success_line_says_when_a_retry_found_the_group_gone(capsys: pytest.CaptureFixture[str]) -> None:
    from yunxin_im.facade import Disbanded

    Reporter(as_json=False).success("yunxin", "dismiss_team", "1001", Disbanded(True, "req-1", 2))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("yunxin dismiss-team 1001: done (it was already gone when a retry arrived")
    assert "  request id: req-1" in out and "  attempts: 2" in out
