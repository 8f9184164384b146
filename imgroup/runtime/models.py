"""How a generated model shows itself: the fields it holds, never the absent ones or credentials.

openapi-python-client renders the models; the generator makes each one an attrs class with ``repr=False`` that
inherits :class:`ModelRepr`. A vendor answer leaves most optional fields out, and attrs' own repr would print
each of them as an ``Unset`` object, burying the few that came back.
"""

from __future__ import annotations

from typing import Any

import attrs

from .types import Unset

# Fields that hold credentials, by their Python name in any model: the token answer's token, a request's secret.
SECRET_FIELDS = frozenset({"app_secret", "tenant_access_token", "app_access_token", "usersig", "check_sum"})


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
