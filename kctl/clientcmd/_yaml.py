"""YAML in and out for kubeconfig files, shaped like sigs.k8s.io/yaml (go-yaml) output.

PyYAML is imported here, lazily, so ``import kctl.clientcmd`` stays cheap; kubeconfigs in
kubectl's own plain style are read without it (``_simple_yaml``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["dump_yaml", "parse_yaml"]


def parse_yaml(data: bytes) -> Any:
    """One YAML (or JSON) document; raises ValueError with a go-yaml-like one-line text."""
    from kctl.clientcmd._simple_yaml import NotSimple, parse

    try:
        return parse(data)
    except NotSimple:
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(data, Loader=loader)
    except yaml.reader.ReaderError as err:
        raise ValueError(f"yaml: {_reader_problem(err.reason)}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"yaml: {line}{err.problem or err.context}") from None
    except yaml.YAMLError as err:
        # PyYAML's texts span lines ("  in <byte string>"); an error is one line.
        raise ValueError(f"yaml: {str(err).splitlines()[0] if str(err) else 'error'}") from None


# go-yaml's reader texts for what Python's UTF-8 decoder and PyYAML's reader reject.
_READER_PROBLEMS = {
    "invalid start byte": "invalid leading UTF-8 octet",
    "invalid continuation byte": "invalid trailing UTF-8 octet",
    "unexpected end of data": "incomplete UTF-8 octet sequence",
    "special characters are not allowed": "control characters are not allowed",
}


def _reader_problem(reason: str) -> str:
    return _READER_PROBLEMS.get(reason, reason.splitlines()[0] if reason else "invalid input")


def dump_yaml(obj: Any) -> str:
    """Block-style YAML with sorted keys and go-yaml's double-quoted strings."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        # The pure-Python emitter: the C one offers no hook for the quoting style.
        def choose_scalar_style(self) -> str:
            style: str = super().choose_scalar_style()
            # go-yaml quotes with "..." where PyYAML would use '...'.
            return '"' if style == "'" else style

    out: str = yaml.dump(
        obj, Dumper=_Dumper, default_flow_style=False, sort_keys=True, allow_unicode=True
    )
    return out
