"""One command per operation of a vendor's spec, built from the generated client so the two stay in step.

The command's name, help, arguments and options come from the facade method (its signature and the
docstring the generator wrote from the spec); what is hand-written here is only what reads better by
hand: which keyword arguments are positional on the command line, and an example per command.
"""

from __future__ import annotations

import importlib
import inspect
import json
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import click

from imgroup import settings

from . import _connection, _docstring, _scrub
from ._aliases import AliasedGroup
from ._report import Reporter

VENDOR_TITLES = {
    "feishu": "Feishu (Lark)",
    "tencent": "Tencent Cloud Chat (IM)",
    "yunxin": "NetEase Yunxin IM",
}

# Keyword-only in Python, but what the command acts on: positional on the command line.
POSITIONAL = {
    "destroy_group": ("group_id",),
    "remove_chat_members": ("id_list",),
    "search_chats": ("query",),
    "add_chat_members": ("id_list",),
    "add_chat_managers": ("manager_ids",),
    "remove_chat_managers": ("manager_ids",),
    "get_group_info": ("group_id_list",),
    "get_group_member_info": ("group_id",),
    "add_group_member": ("group_id",),
    "delete_group_member": ("group_id", "member_to_del_account"),
    "change_group_owner": ("group_id", "new_owner_account"),
    "modify_group_base_info": ("group_id",),
    "get_joined_group_list": ("member_account",),
    "add_team_managers": ("managers",),
    "remove_team_managers": ("managers",),
    "add_team_members": ("team_id", "invite_account_ids"),
    "remove_team_members": ("team_id", "kick_account_ids"),
}

# Examples a reader can run against `imgroup emulator` (its demo seed has these groups).
EXAMPLES = {
    "disband_chat": "imgroup feishu disband-chat oc_demo_1",
    "remove_chat_members": "imgroup feishu remove-chat-members oc_demo_1 ou_alice ou_bob --member-id-type open_id",
    "unbind_meeting_chat": (
        "imgroup feishu unbind-meeting-chat feishu.cn_demo@group.calendar.feishu.cn evt_demo_0 "
        "--meeting-chat-id oc_demo_meeting"
    ),
    "get_chat": "imgroup feishu get-chat oc_demo_named",
    "list_chats": "imgroup feishu list-chats --page-size 5",
    "search_chats": "imgroup feishu search-chats project",
    "create_chat": "imgroup feishu create-chat --name Launch --user-id-list ou_alice --user-id-list ou_bob",
    "update_chat": "imgroup feishu update-chat oc_demo_transfer --owner-id ou_alice",
    "list_chat_members": "imgroup feishu list-chat-members oc_demo_transfer --page-size 2",
    "add_chat_members": "imgroup feishu add-chat-members oc_demo_named ou_carol ou_dave",
    "is_in_chat": "imgroup feishu is-in-chat oc_demo_member",
    "add_chat_managers": "imgroup feishu add-chat-managers oc_demo_transfer ou_alice",
    "remove_chat_managers": "imgroup feishu remove-chat-managers oc_demo_transfer ou_bob",
    "create_meeting_chat": "imgroup feishu create-meeting-chat feishu.cn_demo@group.calendar.feishu.cn evt_demo_2",
    "destroy_group": "imgroup tencent destroy-group '@TGS#demo1' --json",
    "create_group": "imgroup tencent create-group --kind Public --name Launch --owner-account user1",
    "get_group_info": "imgroup tencent get-group-info '@TGS#demo_team' '@TGS#demo1'",
    "get_appid_group_list": "imgroup tencent get-appid-group-list --limit 100",
    "get_group_member_info": "imgroup tencent get-group-member-info '@TGS#demo_team' --limit 100",
    "add_group_member": """imgroup tencent add-group-member '@TGS#demo_team' --member-list '{"Member_Account": "user5"}'""",
    "delete_group_member": "imgroup tencent delete-group-member '@TGS#demo_team' user2 user4",
    "change_group_owner": "imgroup tencent change-group-owner '@TGS#demo_team' user3",
    "modify_group_base_info": "imgroup tencent modify-group-base-info '@TGS#demo_team' --name 'Demo team (archived)'",
    "get_joined_group_list": """imgroup tencent get-joined-group-list user1 --response-filter '{"SelfInfoFilter": ["Role"]}'""",
    "dismiss_team": "imgroup yunxin dismiss-team 1001 --team-type 1 --operator-id acc_owner",
    "create_team": (
        "imgroup yunxin create-team --owner-account-id acc_owner --team-type 1 --name Launch "
        "--invite-account-ids acc_member --json"
    ),
    "get_team": "imgroup yunxin get-team 1001 --team-type 1 --json",
    "get_teams": "imgroup yunxin get-teams --team-type 1 --team-ids '[1001,1002,1003]' --json",
    "update_team": "imgroup yunxin update-team 1001 --operator-id acc_owner --team-type 1 --name Renamed",
    "transfer_team_owner": (
        "imgroup yunxin transfer-team-owner 1003 --team-type 1 --new-owner-account-id acc_manager --leave 2"
    ),
    "add_team_managers": "imgroup yunxin add-team-managers 1003 acc_member --team-type 1 --operator-id acc_owner",
    "remove_team_managers": (
        "imgroup yunxin remove-team-managers 1001 acc_manager --team-type 1 --operator-id acc_owner"
    ),
    "list_team_members": "imgroup yunxin list-team-members 1003 --team-type 1 --limit 2 --json",
    "add_team_members": "imgroup yunxin add-team-members 1003 acc_outsider --operator-id acc_owner --team-type 1",
    "remove_team_members": ("imgroup yunxin remove-team-members 1003 acc_member --operator-id acc_owner --team-type 1"),
    "list_joined_teams": "imgroup yunxin list-joined-teams acc_owner --team-type 1 --need-return-member-info 1 --json",
}

# Per-call settings of every facade method; the command line has them as the shared --timeout/--max-retries.
_CALL_SETTINGS = {"self", "timeout", "max_retries"}


class OperationCommand(click.Command):
    """A command whose help also lists its positional arguments, with their help from the spec."""

    def __init__(self, *args: Any, argument_help: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.argument_help = argument_help

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.argument_help:
            with formatter.section("Arguments"):
                formatter.write_dl(self.argument_help)
        super().format_options(ctx, formatter)


def vendor_group(vendor: str) -> click.Group:
    """The ``imgroup VENDOR`` group: a command for each operation that acts on groups.

    A paginated operation's command pages through every page with the facade's iterator, and also answers
    to the name the iterator suggests (``iter_groups``: ``list-groups``) unless a command has that name.
    """
    from . import _listing  # it builds on this module's parameters

    package, client_name = settings.CLIENTS[vendor]
    operations = importlib.import_module(f"{package}.operations").OPERATIONS
    client_class = getattr(importlib.import_module(f"{package}.facade"), client_name)
    variables = ", ".join(field.variable for field in settings.FIELDS[vendor])
    group = AliasedGroup(
        vendor,
        help=f"{VENDOR_TITLES[vendor]} group administration.\n\n"
        f"Credentials and the base URL come from options, the environment ({variables}) or the config file.",
        epilog=example_block([next((EXAMPLES[op] for op in operations if op in EXAMPLES), f"imgroup {vendor} --help")]),
    )
    iterators: dict[str, str] = {}
    for info in operations.values():
        # The token exchange is the client's own business, and its answer is a secret to print nowhere.
        if not info.signed:
            continue
        page_method = getattr(client_class, info.operation_id)
        iterator = getattr(info, "iterator", None)
        if iterator is None:
            group.add_command(operation_command(vendor, info.operation_id, page_method))
            continue
        iterator_method = getattr(client_class, iterator)
        group.add_command(_listing.list_command(vendor, info.operation_id, page_method, iterator, iterator_method))
        iterators[iterator] = info.operation_id.replace("_", "-")
    for iterator, name in iterators.items():
        if _listing.alias_of(iterator) not in group.commands:
            group.add_alias(_listing.alias_of(iterator), name)
    return group


def operation_command(vendor: str, operation: str, method: Any) -> click.Command:
    """A command calling ``method`` (a facade method) with its arguments from the command line."""
    doc = _docstring.parse(method.__doc__)
    params, positional, keyword = command_parameters(vendor, operation, method, doc)

    def run(**values: Any) -> None:
        connection = _connection.Connection.pop_from(vendor, values)
        call(vendor, operation, connection, given(values), target=positional[0].name if positional else None)

    example = EXAMPLES.get(operation) or generated_example(vendor, operation, positional, keyword)
    return OperationCommand(
        operation.replace("_", "-"),
        argument_help=[(p.name.upper(), doc.arguments.get(p.name, "")) for p in positional],
        callback=run,
        params=params,
        help=f"{doc.summary}\n\n{doc.description}",
        short_help=doc.summary,
        epilog=example_block([example]),
    )


def command_parameters(
    vendor: str, operation: str, method: Any, doc: _docstring.MethodDoc, *, leave_out: Iterable[str] = ()
) -> tuple[list[click.Parameter], list[inspect.Parameter], list[inspect.Parameter]]:
    """The click parameters for ``method``'s arguments (but ``leave_out``) and the shared options, and its
    positional and keyword arguments as the command line takes them."""
    hints = typing.get_type_hints(method, localns=ModelNames(settings.CLIENTS[vendor][0]))
    signature = inspect.signature(method)
    promoted = POSITIONAL.get(operation, ())
    parameters = [p for p in signature.parameters.values() if p.name not in {*_CALL_SETTINGS, *leave_out}]
    positional = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD or p.name in promoted]
    keyword = [p for p in parameters if p not in positional]
    clashes = {p.name for p in parameters} & ({f.name for f in settings.FIELDS[vendor]} | set(_connection.SHARED))
    if clashes:
        raise ValueError(f"{vendor}.{operation}: parameters {sorted(clashes)} clash with the shared options")

    params: list[click.Parameter] = [_argument(p, hints[p.name]) for p in positional]
    params += [_option(p, hints[p.name], doc.arguments.get(p.name, "")) for p in keyword]
    params += _connection.options(vendor)
    return params, positional, keyword


def given(values: dict[str, Any]) -> dict[str, Any]:
    """The arguments the command line was given: an option left out (None, or no values of a repeatable
    option) is left to the method's default, and repeated values become a list."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in values.items()
        if value not in (None, ())
    }


def call(
    vendor: str,
    operation: str,
    connection: _connection.Connection,
    arguments: dict[str, Any],
    *,
    target: str | None = None,
) -> None:
    """Build the client, make the call and report it; ``target`` names the argument the call acts on."""
    loaded = connection.load(vendor)
    reporter = Reporter(as_json=connection.as_json, secrets=_scrub.secrets_of(loaded))
    package = settings.CLIENTS[vendor][0]
    errors = importlib.import_module(f"{package}.errors")
    try:
        with settings.make_client(loaded, **connection.client_options()) as client:
            result = getattr(client, operation)(**arguments)
    except errors.ValidationError as error:
        raise click.UsageError(reporter.scrub(str(error))) from None
    except (errors.ApiError, errors.ApiConnectionError, errors.ResponseFormatError) as error:
        reporter.api_error(vendor, operation, error)
    acted_on = arguments.get(target, "") if target else ""
    reporter.success(vendor, operation, ", ".join(acted_on) if isinstance(acted_on, list) else str(acted_on), result)


class ModelNames(Mapping[str, Any]):
    """A package's model classes by name, imported as a type hint names one.

    The generated methods name their answer models only for type checkers (importing every model up front
    would cost each import of the package), so their hints are resolved against the models package.
    """

    def __init__(self, package: str) -> None:
        self._models = importlib.import_module(f"{package}.models")

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self._models, name)
        except AttributeError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._models.__all__)

    def __len__(self) -> int:
        return len(self._models.__all__)


def _argument(parameter: inspect.Parameter, hint: Any) -> click.Argument:
    kind, many = _click_type(hint)
    return click.Argument([parameter.name], type=kind, nargs=-1 if many else 1, required=True)


def _option(parameter: inspect.Parameter, hint: Any, help_text: str) -> click.Option:
    kind, many = _click_type(hint)
    required = parameter.default is inspect.Parameter.empty
    return click.Option(
        ["--" + parameter.name.replace("_", "-"), parameter.name],
        type=kind,
        multiple=many,
        required=required,
        help=help_text,
    )


def _click_type(hint: Any) -> tuple[click.ParamType[Any], bool]:
    """The click type for a facade annotation, and whether it takes many values."""
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        hint = args[0]  # Optional[X]: the option is optional, its values are X
    origin = typing.get_origin(hint)
    if origin is Literal and all(isinstance(value, str) for value in typing.get_args(hint)):
        return click.Choice(typing.get_args(hint)), False
    if origin is Literal:
        return _click_type(type(typing.get_args(hint)[0]))[0], False
    if origin is not None and isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str:
        return _click_type(typing.get_args(hint)[0])[0], True
    if hint is bool:
        return click.BOOL, False
    if hint is int:
        return click.INT, False
    if hint is float:
        return click.FLOAT, False
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return JSON_OBJECT, False  # a body field that is an object: given as JSON on the command line
    return click.STRING, False


class JsonObject(click.ParamType[dict[str, Any]]):
    """A JSON object on the command line, e.g. ``'{"Member_Account": "user5"}'``."""

    name = "JSON"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            self.fail(f"{value!r} is not a JSON object", param, ctx)
        return parsed


JSON_OBJECT = JsonObject()


def generated_example(
    vendor: str, operation: str, positional: list[inspect.Parameter], keyword: list[inspect.Parameter]
) -> str:
    words = [f"imgroup {vendor} {operation.replace('_', '-')}"] + [p.name.upper() for p in positional]
    words += [f"--{p.name.replace('_', '-')} {p.name.upper()}" for p in keyword if p.default is p.empty]
    return " ".join(words)


def example_block(examples: list[str]) -> str:
    # \b keeps click from re-wrapping the example lines.
    return "\b\nExample:\n" + "\n".join(f"  {example}" for example in examples)
