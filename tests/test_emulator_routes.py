"""The emulator's route tables serve exactly the operations of the specs, with the specs' methods and paths."""

from __future__ import annotations

import importlib

import pytest

from imgroup.emulator import feishu, tencent, yunxin

PACKAGES = {"feishu": feishu, "tencent": tencent, "yunxin": yunxin}


@pytest.mark.parametrize("vendor", sorted(PACKAGES))
def test_every_spec_operation_has_one_row_with_the_specs_method_path_and_signing(vendor: str) -> None:
    spec = importlib.import_module(f"{vendor}_im.operations").OPERATIONS
    rows = [row for row in PACKAGES[vendor].OPERATIONS if row is not tencent.dialect.UNKNOWN_COMMAND_OPERATION]
    served = sorted((row.operation_id, row.method, row.path, row.authenticated) for row in rows)
    assert served == sorted((op.operation_id, op.method, op.path, op.signed) for op in spec.values())


@pytest.mark.parametrize("vendor", sorted(PACKAGES))
def test_no_two_rows_answer_the_same_method_and_path(vendor: str) -> None:
    routes = [(row.method, row.path) for row in PACKAGES[vendor].OPERATIONS]
    assert len(routes) == len(set(routes))


def test_tencent_answers_unknown_commands_only_after_every_known_one() -> None:
    assert tencent.OPERATIONS[-1] is tencent.dialect.UNKNOWN_COMMAND_OPERATION


def test_feishu_search_is_tried_before_a_chat_id() -> None:
    paths = [row.path for row in feishu.OPERATIONS if row.method == "GET"]
    assert paths.index("/open-apis/im/v1/chats/search") < paths.index("/open-apis/im/v1/chats/{chat_id}")
