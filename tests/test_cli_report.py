"""How the command line reports outcomes: secrets scrubbed, errors described, results made JSON-ready."""

from __future__ import annotations

import json

import click
import pytest

from imgroup.cli._report import Reporter, describe_error, error_fields, result_fields
from imgroup.cli._scrub import REDACTED


def _api_error(message: str, code: int = 70009) -> Exception:
    from tencent_im.error_codes import lookup
    from tencent_im.errors import UnauthenticatedError

    return UnauthenticatedError(
        code=code, message=message, http_status=200, operation="destroy_group", request_id=None, info=lookup(code)
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_a_secret_the_vendor_echoes_back_is_redacted(as_json: bool, capsys: pytest.CaptureFixture[str]) -> None:
    reporter = Reporter(as_json=as_json, secrets=["s3cr3t-key-value"])
    with pytest.raises(click.exceptions.Exit) as exited:
        reporter.api_error("tencent", "destroy_group", _api_error("bad key s3cr3t-key-value"))
    assert exited.value.exit_code == 1
    captured = capsys.readouterr()
    assert "s3cr3t-key-value" not in captured.out + captured.err
    assert f"bad key {REDACTED}" in captured.err
    if as_json:
        assert json.loads(captured.out)["error"]["message"] == f"bad key {REDACTED}"


def test_unknown_code_points_at_the_catalogue() -> None:
    from tencent_im.errors import ApiError

    error = ApiError(code=123456, message="odd", http_status=200, operation="destroy_group")
    lines = describe_error("tencent", "destroy_group", error_fields(error))
    assert lines[0] == "Error: tencent destroy-group: [123456] odd (HTTP 200)"
    assert "not in the catalogue (imgroup errors list tencent)" in lines[1]
    assert any(line.startswith("  request id: none") for line in lines)


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
