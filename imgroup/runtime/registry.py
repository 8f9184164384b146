"""The types of the generated registry: which vendors exist, and what each operation takes and does.

Each generated package has a ``registry`` module whose ``ENTRY`` is a :class:`VendorEntry`, and one typed
handle per operation (:class:`Operation`) and per iterator (:class:`Listing`) made from the client classes'
own methods, so that ``mypy --strict`` checks a tool's call against the generated signature:

    from feishu_im import registry as feishu

    call = feishu.update_chat.bind("oc_1", owner_id="ou_2")   # checked like client.update_chat(...)
    call.run(client)                                          # or: await call.run_async(async_client)

``imgroup_registry`` (generated from specs/) lists the vendors. The command line, bulk jobs, plans, the
emulator's catalogue and the benchmarks read these; nothing hand-written keeps its own copy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, Generic, NamedTuple, ParamSpec, TypeVar

from ._vendor import OperationInfo

if TYPE_CHECKING:
    from imgroup.errors import ErrorInfo

    from ._client import AsyncClient, SyncClient
    from ._pipeline import PreparedRequest
    from ._vendor import ErrorClasses

P = ParamSpec("P")
# A handle only answers its type, so a call answering ChatInfo is a call answering object.
R_co = TypeVar("R_co", covariant=True)
T_co = TypeVar("T_co", covariant=True)


class Operation(Generic[P, R_co]):
    """One operation's client methods, sync and async, with their exact parameters ``P`` and answer ``R``."""

    __slots__ = ("async_method", "name", "sync_method")

    def __init__(
        self,
        name: str,
        sync_method: Callable[Concatenate[Any, P], R_co],
        async_method: Callable[Concatenate[Any, P], Awaitable[R_co]],
    ) -> None:
        self.name = name
        self.sync_method = sync_method
        self.async_method = async_method

    def __repr__(self) -> str:
        return f"Operation({self.name!r})"

    def bind(self, *args: P.args, **kwargs: P.kwargs) -> BoundCall[R_co]:
        """The operation with its arguments, checked by mypy against the client method's signature."""
        return BoundCall(self, args, kwargs)


class BoundCall(Generic[R_co]):
    """An operation and its arguments, to run on a sync or an async client."""

    __slots__ = ("_run", "_run_async", "args", "kwargs", "name")

    def __init__(self, operation: Operation[Any, R_co], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        self.name = operation.name
        self.args = args
        self.kwargs = kwargs
        self._run = operation.sync_method
        self._run_async = operation.async_method

    def __repr__(self) -> str:
        return f"BoundCall({self.name!r}, args={self.args!r}, kwargs={dict(self.kwargs)!r})"

    def run(self, client: object) -> R_co:
        return self._run(client, *self.args, **self.kwargs)

    async def run_async(self, client: object) -> R_co:
        return await self._run_async(client, *self.args, **self.kwargs)


class Listing(Generic[P, T_co]):
    """One iterator of the clients (``iter_*``), sync and async, with its parameters ``P`` and items ``T``."""

    __slots__ = ("async_method", "name", "sync_method")

    def __init__(
        self,
        name: str,
        sync_method: Callable[Concatenate[Any, P], Iterator[T_co]],
        async_method: Callable[Concatenate[Any, P], AsyncIterator[T_co]],
    ) -> None:
        self.name = name
        self.sync_method = sync_method
        self.async_method = async_method

    def __repr__(self) -> str:
        return f"Listing({self.name!r})"

    def bind(self, *args: P.args, **kwargs: P.kwargs) -> BoundListing[T_co]:
        """The iterator with its arguments, checked by mypy against the client method's signature."""
        return BoundListing(self, args, kwargs)


class BoundListing(Generic[T_co]):
    """An iterator and its arguments, to run on a sync or an async client."""

    __slots__ = ("_run", "_run_async", "args", "kwargs", "name")

    def __init__(self, listing: Listing[Any, T_co], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        self.name = listing.name
        self.args = args
        self.kwargs = kwargs
        self._run = listing.sync_method
        self._run_async = listing.async_method

    def __repr__(self) -> str:
        return f"BoundListing({self.name!r}, args={self.args!r}, kwargs={dict(self.kwargs)!r})"

    def run(self, client: object) -> list[T_co]:
        return list(self._run(client, *self.args, **self.kwargs))

    async def run_async(self, client: object) -> list[T_co]:
        return [item async for item in self._run_async(client, *self.args, **self.kwargs)]


class ArgumentFacts(NamedTuple):
    """One argument of an operation's client method."""

    name: str
    """The client method's name for it (``group_id``)."""
    wire_name: str
    """The vendor's name for it (``GroupId``)."""
    location: str
    """path, query, header or body."""
    annotation: str
    """Its annotation in the method's signature, as written there (``Literal['Public', 'Private']``)."""
    kind: str
    """The JSON type: string, integer, number, boolean, array, object (or any)."""
    item_kind: str | None
    """The JSON type of an array's items."""
    choices: tuple[Any, ...]
    """The values allowed (the spec's enum; an array's: its items'), empty when any value of the kind is."""
    required: bool
    positional: bool
    """Whether the method takes it positionally (path parameters) or the command line does (``x-cli``)."""
    description: str


class ListingFacts(NamedTuple):
    """How a list operation's iterator pages."""

    name: str
    max_page_size: int | None
    filled: tuple[str, ...]
    """The operation's arguments the iterator fills page after page (it does not take them)."""
    listing: Listing[..., Any]


class OperationFacts(NamedTuple):
    """Everything a tool needs to know about one operation, typed."""

    name: str
    summary: str
    description: str
    arguments: tuple[ArgumentFacts, ...]
    example: str | None
    """A command a reader can run against ``imgroup emulator`` (the spec's ``x-cli.example``)."""
    info: OperationInfo
    """Method, path, documented limits, already-done codes, whether it disbands a group."""
    returns: str
    """The answer's annotation (``ChatInfo``, ``Disbanded``, ``None``)."""
    prepare: Callable[..., PreparedRequest]
    operation: Operation[..., Any]
    listing: ListingFacts | None


class SettingField(NamedTuple):
    """One setting of a vendor's client: its name, its environment variable, and whether it is secret."""

    name: str
    variable: str
    secret: bool = False
    integer: bool = False
    choices: tuple[str, ...] = ()
    """The values allowed (a region's names), empty when any is."""


class VendorEntry(NamedTuple):
    """One vendor: its package, client classes, settings and operations."""

    name: str
    title: str
    package: str
    client: type[SyncClient]
    async_client: type[AsyncClient]
    settings: tuple[SettingField, ...]
    """Every field but base_url (and region) is a keyword of the client's constructor under its own name."""
    alternatives: tuple[tuple[str, ...], ...]
    """Groups of settings that exclude each other (a user token or an app's id and secret)."""
    required: tuple[tuple[str, ...], ...]
    """What must be set: any one of these groups."""
    operations: Mapping[str, OperationFacts]
    errors: ErrorClasses
    error_codes: Callable[[], Mapping[int, ErrorInfo]]
    """The catalogue, imported on first use."""


__all__ = [
    "ArgumentFacts",
    "BoundCall",
    "BoundListing",
    "Listing",
    "ListingFacts",
    "Operation",
    "OperationFacts",
    "SettingField",
    "VendorEntry",
]
