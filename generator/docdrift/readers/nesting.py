"""Names nested fields: a parameter row's dotted path (``configuration.join_mode``) from how its page marks
the row's depth.

Pages say that a field belongs to the object listed above it in one of four ways: a tree mark before its
name (``└ zh_cn``, Feishu), more indentation than the rows above it (Yunxin's spaced rows, an HTML page's
padding), a dotted name (``member_info.member_role``), or a table of its own under a heading naming the
object (``#### configuration``). Rows are read in page order against a stack of the objects still open, so
any depth works; a dotted name is a whole path already.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TREE_MARKS = "└∟├"
_LIST_MARKS = "-*•"
_INDENT_ENTITIES = re.compile(r"&(?:emsp|ensp|nbsp);")
_ARRAY_STEP = re.compile(r"\[\d*\]")

Depth = tuple[int, int]
"""How deep a row sits: (indentation, tree marks), compared in that order."""


def split_depth(raw: str) -> tuple[str, Depth]:
    """The name cell without its indentation and tree marks, and the depth they gave it."""
    text = _INDENT_ENTITIES.sub("  ", raw).replace("\u00a0", " ").replace("\u3000", "  ")
    rest = text.lstrip()
    indent = len(text) - len(rest)
    marks = 0
    while rest and (rest[0] in _TREE_MARKS or (rest[0] in _LIST_MARKS and rest[1:2] == " ")):
        marks += 1
        rest = rest[1:].lstrip()
    return rest, (indent, marks)


def dotted(name: str) -> str:
    """A field path in the one form specs and pages are compared in: ``items[].id`` and ``items[0].id`` are
    ``items.id``."""
    return ".".join(part for part in _ARRAY_STEP.sub("", name).split(".") if part)


def parent_of(path: str) -> str:
    """``a.b`` for ``a.b.c``; empty for a top-level name."""
    return path.rpartition(".")[0]


@dataclass
class FieldPaths:
    """The dotted paths of one table's (or one section's) rows, read in order."""

    prefix: str = ""
    """The object a heading named for the whole table, if any."""
    _open: list[tuple[Depth, str]] = field(default_factory=list)
    _base: int | None = None

    def path(self, name: str, depth: Depth) -> str:
        """The path of the row called ``name`` at ``depth``; the rows above it decide its parent."""
        indent, marks = depth
        if self._base is None:  # the first row's indentation is the table's padding, not depth
            self._base = indent
        depth = (max(indent - self._base, 0), marks)
        while self._open and self._open[-1][0] >= depth:
            self._open.pop()
        name = dotted(name)
        if "." in name or not self._open:
            found = name if not self.prefix or name.startswith(f"{self.prefix}.") else f"{self.prefix}.{name}"
        else:
            found = f"{self._open[-1][1]}.{name}"
        self._open.append((depth, found))
        return found
