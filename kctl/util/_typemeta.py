"""apimachinery's version/kind probe, shared by kubeconfig loading (clientcmd) and exec
credential decoding (rest) so that neither package imports the other for it."""

from __future__ import annotations

from typing import Any

__all__ = ["version_kind_error"]

# The probe decodes into this anonymous struct; encoding/json names it in its error.
_TYPE_META_STRUCT = (
    'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
    'Kind string "json:\\"kind,omitempty\\"" }'
)


def version_kind_error(doc: Any) -> str:
    """The decoder's text for a document that is not an object (a list, string, number...)."""
    if isinstance(doc, list):
        kind = "array"
    elif isinstance(doc, str):
        kind = "string"
    elif isinstance(doc, bool):
        kind = "bool"
    elif isinstance(doc, (int, float)):
        kind = "number"
    else:
        kind = "value"
    return (
        "couldn't get version/kind; json parse error: "
        f"json: cannot unmarshal {kind} into Go value of type {_TYPE_META_STRUCT}"
    )
