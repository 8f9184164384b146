"""Read a generated facade method's docstring: its summary, its description and the help of each argument.

The generator writes those docstrings from the spec, so commands built from them say what the spec says.
"""

from __future__ import annotations

import inspect
import re

import attrs

_SECTION = re.compile(r"^(Args|Raises|Returns):$")
_ARGUMENT = re.compile(r"^(\w+): (.*)$")


@attrs.frozen
class MethodDoc:
    """A method docstring in parts: ``summary`` (one line), ``description`` (paragraphs), ``arguments``."""

    summary: str
    description: str
    arguments: dict[str, str]


def parse(docstring: str | None) -> MethodDoc:
    """Split a Google-style docstring; RST literals (````x````) become plain text for a terminal."""
    lines = inspect.cleandoc(docstring or "").splitlines()
    summary = lines[0].strip() if lines else ""
    body: list[str] = []
    arguments: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    for line in lines[1:]:
        stripped = line.strip()
        heading = _SECTION.match(stripped)
        if heading and not line.startswith(" "):
            section, current = heading.group(1), None
            continue
        if section is None:
            body.append(line)
        elif section == "Args" and stripped:
            argument = _ARGUMENT.match(stripped)
            # An argument starts one indent in; its continuation lines are indented further.
            if argument and not line.startswith(" " * 5):
                current = argument.group(1)
                arguments[current] = argument.group(2)
            elif current is not None:
                arguments[current] += " " + stripped
    description = "\n".join(body).strip()
    return MethodDoc(
        summary=_plain(summary),
        description=_plain(description),
        arguments={name: _plain(text) for name, text in arguments.items()},
    )


def _plain(text: str) -> str:
    return text.replace("``", "")
