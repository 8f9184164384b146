"""What a generated package tells the runtime about its vendor: data, not code.

Each generated package builds one :class:`Vendor` from its spec (``<package>/operations.py``); the pipeline,
the envelope reader, the pager and the argument checks read it, so nothing in the runtime names a vendor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

from imgroup import errors


# NamedTuples, not attrs classes: they are built when a package is imported, and attrs classes cost ~0.8 ms each
# to create (bench/import_cost.py); these records need nothing attrs adds.
class OperationInfo(NamedTuple):
    """One operation of the spec."""

    operation_id: str
    method: str
    path: str
    rate_limit_per_second: int | None
    rate_limit_per_minute: int | None
    error_codes: tuple[int, ...]
    removes_group: bool
    """Whether the operation disbands a group, so that finding it gone on a retry means the work is done."""
    already_done_codes: tuple[int, ...]
    """Codes meaning the operation's effect already holds (the spec's x-already-done): a re-run meeting one is done."""
    done_on_retry_codes: tuple[int, ...]
    """Codes meaning done only for a call an earlier attempt may have made (x-done-on-retry): the vendor answers
    them both to work already done and to a request that was wrong."""
    iterator: str | None
    """The clients' iterator method over this list operation's pages, if it pages."""
    signed: bool
    """False for the one call that obtains credentials (Feishu's token endpoint)."""
    doc_page: str
    answers_data: bool = True
    """Whether a success answers data: a retry meeting "already done" cannot stand in for such an answer."""


class ErrorClasses(NamedTuple):
    """A vendor package's error classes: each subclasses the shared class of the same name in imgroup.errors."""

    root: type[errors.ImgroupError]
    validation: type[errors.ValidationError]
    connection: type[errors.ApiConnectionError]
    timeout: type[errors.ApiTimeoutError]
    response_format: type[errors.ResponseFormatError]
    api: type[errors.ApiError]
    by_category: Mapping[str, type[errors.ApiError]]


EnvelopeStyle = Literal["code_msg_data", "action_status"]


class Vendor(NamedTuple):
    """Everything the runtime needs to know about one vendor."""

    name: str
    package: str
    envelope: EnvelopeStyle
    """``code_msg_data``: ``{"code", "msg", "data"}`` (Feishu, Yunxin); ``action_status``: Tencent's
    ``{"ActionStatus", "ErrorCode", "ErrorInfo"}`` beside the answer's own fields."""
    success_codes: frozenset[int]
    request_id_headers: tuple[str, ...]
    operations: Mapping[str, OperationInfo]
    errors: ErrorClasses
    lookup: Callable[[int, str | None], errors.ErrorInfo | None]
    """The catalogue entry of a code for an operation (``<package>.error_codes.lookup``: the operation's own
    where its page words the code its own way), imported only once something fails."""
