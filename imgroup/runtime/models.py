"""How a generated model shows itself and reads the ids a vendor sends as a number or as text.

openapi-python-client renders the models; the generator makes each one an attrs class with ``repr=False`` that
inherits :class:`ModelRepr`. A vendor answer leaves most optional fields out, and attrs' own repr would print
each of them as an ``Unset`` object, burying the few that came back. A field the spec marks ``x-as-string``
(an id the vendor's page types as text while its server and SDKs send a number) is read through
:func:`as_string`.
"""

from __future__ import annotations

from typing import Any

import attrs

from .types import Unset

# Fields that hold credentials, by their Python name in any model: the token answer's token, a request's secret.
SECRET_FIELDS = frozenset(
    {"app_secret", "app_ticket", "tenant_access_token", "app_access_token", "usersig", "check_sum"}
)


class ModelRepr:
    """Mixin of every generated model: ``Name(field=value, ...)`` for the fields that hold a value."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = []
        cls: Any = type(self)
        for field in attrs.fields(cls):
            name = field.name
            if name in SECRET_FIELDS or name == "additional_properties":
                continue
            value = getattr(self, name)
            if not isinstance(value, Unset):
                shown.append(f"{name}={value!r}")
        extra = getattr(self, "additional_properties", None)
        if extra:
            shown.append(f"additional_properties={extra!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def as_string(value: Any) -> Any:
    """An id as text: an integer (as Yunxin sends ``team_id``) becomes its decimal digits; anything else is kept.

    ``as_string(1001) == "1001"``; a string, or ``UNSET`` for an absent field, passes through.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value
