"""The one change we make to openapi-python-client's models: they show themselves through ``ModelRepr``.

The tool's model template is used as it is (``tool/model.py.jinja``); its output passes through
:func:`with_model_repr`, which turns attrs' own repr off and makes the class inherit
:class:`imgroup.runtime.ModelRepr` (the fields a model holds, never absent ones or credentials). A copy of the
tool's 250-line template would drift from the pinned tool; these two edits fail loudly if it ever changes.
"""

from __future__ import annotations

ATTRS_IMPORT = "from attrs import define as _attrs_define\n"
RUNTIME_IMPORT = "from imgroup.runtime import ModelRepr\n"


class ModelTemplateChanged(RuntimeError):
    """openapi-python-client's model template no longer has the lines our filter edits."""


def with_model_repr(text: str, class_name: str) -> str:
    """The tool's rendering of model ``class_name``, its class made a ``ModelRepr`` without attrs' repr."""
    declaration = f"@_attrs_define\nclass {class_name}:\n"
    for anchor in (ATTRS_IMPORT, declaration):
        if text.count(anchor) != 1:
            raise ModelTemplateChanged(f"{class_name}: expected one {anchor!r} in the tool's model template")
    text = text.replace(ATTRS_IMPORT, ATTRS_IMPORT + RUNTIME_IMPORT)
    return text.replace(declaration, f"@_attrs_define(repr=False)\nclass {class_name}(ModelRepr):\n")
