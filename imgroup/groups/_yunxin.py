"""NetEase Yunxin teams: every change is made in the name of the team's owner (``operator_id``).

Peculiarities kept here: almost every call needs the team's type (1 advanced, 2 super), which a reference
may give (``yunxin:1001?type=1``) and is otherwise looked up by asking for the team as each type in turn; a
user's teams are listed per type; roles are numbers (0 member, 1 owner, 2 manager); the server API has no
call listing every team of an app, so a sweep cannot see Yunxin's teams; an account that does not exist is
answered "account does not exist" by every call naming it, so listing its teams says whether it exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from yunxin_im import registry as yunxin
from yunxin_im.models import JoinedTeam, TeamInfo

from imgroup.errors import ApiError, NotFoundError
from imgroup.runtime.types import Unset

from ._adapter import Adapter, present, result_of, whole_number
from ._flow import Flow, call, collect, read
from ._records import ActionResult, Group, Membership, Presence, Role, Survey, UserLookup
from ._refs import GroupRef, UserRef

TEAM_TYPES = (1, 2)  # advanced team, super team
ROLES = {0: Role.MEMBER, 1: Role.OWNER, 2: Role.MANAGER}
NOT_THIS_TYPE = 108302  # "not an advanced team": asked with the other type
LEAVE_AS_MEMBER = 2  # transfer_team_owner's `leave`: the old owner stays, as an ordinary member


class YunxinAdapter(Adapter):
    vendor = "yunxin"
    entry = yunxin.ENTRY
    cannot_see = "the server API has no call listing an app's teams, so a sweep cannot find Yunxin teams"
    lists_groups = False

    def app_of(self, credentials: Mapping[str, object]) -> str | None:
        return str(credentials["app_key"]) if credentials.get("app_key") else None

    def get(self, ref: GroupRef) -> Flow[Group | None]:
        given = ref.option("type")
        for team_type in (int(given),) if given else TEAM_TYPES:
            try:
                answer = yield from read(yunxin.get_team.bind(ref.id, team_type=team_type))
            except ApiError as error:
                # Looking the type up, a refusal as the wrong type means "try the other one"; with the type
                # given, it is an error to show, never a team to count as gone.
                if isinstance(error, NotFoundError) or (not given and error.code == NOT_THIS_TYPE):
                    continue
                raise
            return _group(ref.with_option("type", str(team_type)), answer.team_info)
        return None

    def survey_groups(self) -> Flow[Survey[Group]]:
        raise NotImplementedError(f"yunxin: {self.cannot_see}")
        yield  # a flow, like the others

    def survey_memberships(self, users: Sequence[UserRef]) -> Flow[Survey[Membership]]:
        found: list[Membership] = []
        for user in users:
            found.extend((yield from self._memberships(user)))
        return Survey(found)

    def find_users(self, users: Sequence[UserRef]) -> Flow[dict[UserRef, UserLookup]]:
        # A page of one of the account's teams: "account does not exist" (102404, not found) when it does not.
        found: dict[UserRef, UserLookup] = {}
        for user in users:
            try:
                yield from read(yunxin.list_joined_teams.bind(user.id, team_type=TEAM_TYPES[0], limit=1))
            except NotFoundError:
                found[user] = UserLookup(Presence.MISSING)
                continue
            found[user] = UserLookup(Presence.EXISTS)
        return found

    def _memberships(self, user: UserRef) -> Flow[list[Membership]]:
        memberships = []
        for team_type in TEAM_TYPES:
            joined = yield from collect(
                yunxin.iter_joined_teams.bind(user.id, team_type=team_type, need_return_member_info=1)
            )
            for team in joined:
                member = present(team.member_info)
                number = present(member.member_role) if member is not None else None
                role = ROLES.get(number or 0, Role.MEMBER)
                ref = GroupRef("yunxin", str(team.team_id), (("type", str(team_type)),))
                memberships.append(Membership(_group(ref, team), user, role))
        return memberships

    def role_of(self, group: Group, user: UserRef) -> Flow[Role | None]:
        if group.owner == user.id:
            return Role.OWNER
        members = yield from collect(yunxin.iter_team_members.bind(group.id, team_type=_type(group)))
        for member in members:
            if member.account_id == user.id:
                return ROLES.get(member.member_role, Role.MEMBER)
        return None

    def disband(self, group: Group) -> Flow[ActionResult]:
        answer = yield from call(
            yunxin.dismiss_team.bind(
                group.id, team_type=_type(group), operator_id=_owner(group, yunxin.dismiss_team.name)
            )
        )
        return result_of(answer, "dismissed")

    def transfer(self, group: Group, successor: UserRef) -> Flow[ActionResult]:
        if (yield from self.role_of(group, successor)) is None:
            yield from call(
                yunxin.add_team_members.bind(
                    operator_id=_owner(group, yunxin.add_team_members.name),
                    team_id=int(group.id),
                    team_type=_type(group),
                    invite_account_ids=[successor.id],
                )
            )
        answer = yield from call(
            yunxin.transfer_team_owner.bind(
                group.id, team_type=_type(group), new_owner_account_id=successor.id, leave=LEAVE_AS_MEMBER
            )
        )
        return result_of(answer, f"owned by {successor}")

    def remove_member(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        answer = yield from call(
            yunxin.remove_team_members.bind(
                operator_id=_owner(group, yunxin.remove_team_members.name),
                team_id=int(group.id),
                team_type=_type(group),
                kick_account_ids=user.id,
            )
        )
        return result_of(answer, "not in the team")

    def remove_manager(self, group: Group, user: UserRef) -> Flow[ActionResult]:
        answer = yield from call(
            yunxin.remove_team_managers.bind(
                group.id,
                team_type=_type(group),
                operator_id=_owner(group, yunxin.remove_team_managers.name),
                managers=[user.id],
            )
        )
        return result_of(answer, "not a manager")


def _type(group: Group) -> int:
    # Every Group this adapter makes carries its type in its reference.
    return int(group.ref.option("type") or TEAM_TYPES[0])


def _owner(group: Group, operation: str) -> str:
    """The team's owner, in whose name ``operation`` is made (its ``operator_id``)."""
    if group.owner is None:  # the answer named no owner: the call could only be refused
        raise yunxin.ENTRY.errors.validation(operation, "operator_id", "is required: the team's owner is not known")
    return group.owner


def _group(ref: GroupRef, team: TeamInfo | JoinedTeam) -> Group:
    return Group(
        ref,
        present(team.name) or None,
        present(team.owner_account_id) or None,
        whole_number(team.member_count),
        _created(team.create_time),
        record=team,
    )


def _created(value: int | Unset) -> datetime | None:
    stamp = whole_number(value)
    if not stamp:
        return None
    # Yunxin's times are epoch milliseconds; a value too small for that is taken as seconds.
    return datetime.fromtimestamp(stamp / 1000 if stamp > 10**11 else stamp, UTC)
