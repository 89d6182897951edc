"""``kctl api-resources``: the resources the server offers, as kubectl prints them."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kctl.cli._errors import SilentExit, report, usage_errorf
from kctl.cli._flags import Flag, boolean, optional_boolean, string, strings
from kctl.errors import GroupDiscoveryFailedError, KctlError, PrinterError

if TYPE_CHECKING:
    import click

    from kctl.cli._factory import Factory

__all__ = ["FLAGS", "click_command", "command", "run"]

FLAGS: tuple[Flag, ...] = (
    string("-o", "--output", dest="output", help="Output format: wide|name|json|yaml|kyaml."),
    boolean("--no-headers", dest="no_headers", help="Don't print headers."),
    string(
        "--api-group", dest="api_group", default=None, help="Limit to resources in this API group."
    ),
    optional_boolean(
        "--namespaced",
        dest="namespaced",
        help="Only namespaced resources (--namespaced=false: only cluster-scoped ones).",
    ),
    strings("--verbs", dest="verbs", help="Limit to resources that support these verbs."),
    strings("--categories", dest="categories", help="Limit to resources in these categories."),
    string("--sort-by", dest="sort_by", help="Sort by 'name' or 'kind'."),
    boolean("--cached", dest="cached", help="Use the cached list of resources if available."),
)

_FORMATS = "json,kyaml,name,wide,yaml"
_HEADERS = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]


def _split(values: tuple[str, ...]) -> list[str]:
    """pflag's StringSlice: repeatable and comma-separated."""
    return [part for value in values for part in value.split(",") if part]


def _sort_key(sort_by: str) -> Any:
    field = {"name": "name", "kind": "kind"}.get(sort_by, "group")
    # Ties are broken by name; the sort is stable, so discovery order stays otherwise.
    return lambda r: (r.get(field, ""), r["name"])


def _row(r: dict[str, Any], wide: bool) -> str:
    group, version = r.get("group", ""), r.get("version", "")
    gv = f"{group}/{version}" if group else version
    cells = [
        r["name"],
        ",".join(r.get("shortNames") or ()),
        gv,
        "true" if r["namespaced"] else "false",
        r["kind"],
    ]
    if wide:
        cells += [",".join(r.get("verbs") or ()), ",".join(r.get("categories") or ())]
    return "\t".join(cells) + "\n"


def run(factory: Factory, path: str, params: Mapping[str, Any]) -> None:
    """Print the supported API resources on the server."""
    args: tuple[str, ...] = params["args"]
    output: str = params["output"]
    no_headers: bool = params["no_headers"]
    api_group: str | None = params["api_group"]
    namespaced: bool | None = params["namespaced"]
    verbs: tuple[str, ...] = params["verbs"]
    categories: tuple[str, ...] = params["categories"]
    sort_by: str = params["sort_by"]
    cached: bool = params["cached"]
    if output not in ("", "wide", "name", "json", "yaml", "kyaml"):
        raise PrinterError(
            f'unable to match a printer suitable for the output format "{output}", '
            f"allowed formats are: {_FORMATS}"
        )
    if sort_by not in ("", "name", "kind"):
        raise KctlError("--sort-by accepts only name or kind")
    if args:
        raise usage_errorf(path, f"unexpected arguments: [{' '.join(args)}]")
    # A bare --namespaced is a flag set to true; --namespaced=false arrives as False.
    want_namespaced = namespaced
    want_verbs, want_categories = set(_split(verbs)), set(_split(categories))

    discovery = factory.discovery()
    if not cached:
        discovery.invalidate()
    errors: list[BaseException] = []
    try:
        lists = discovery.server_preferred_resources()
    except GroupDiscoveryFailedError as err:
        errors.append(err)
        lists = list(err.partial or [])

    resources: list[dict[str, Any]] = []
    any_list = False
    for lst in lists:
        if not lst.resources:
            continue
        gv = lst.gv
        any_list = True
        for res in lst.resources:
            if not res.verbs:
                continue
            if api_group is not None and api_group != gv.group:
                continue
            if want_namespaced is not None and want_namespaced != res.namespaced:
                continue
            if not want_verbs <= set(res.verbs) or not want_categories <= set(res.categories):
                continue
            entry = res.to_dict()
            entry["group"], entry["version"] = gv.group, gv.version
            # Go's struct order: group and version sit between namespaced and kind.
            resources.append(
                {
                    k: entry[k]
                    for k in (
                        "name",
                        "singularName",
                        "namespaced",
                        "group",
                        "version",
                        "kind",
                        "verbs",
                        "shortNames",
                        "categories",
                        "storageVersionHash",
                    )
                    if k in entry and (entry[k] != "" or k in ("name", "singularName", "kind"))
                }
            )
    if any_list:
        resources.sort(key=_sort_key(sort_by))
        _print(resources, output, no_headers)
    if errors:
        for failure in errors:
            report(failure)
        raise SilentExit(1)


def _print(resources: list[dict[str, Any]], output: str, no_headers: bool) -> None:
    out = sys.stdout
    if output in ("json", "yaml", "kyaml"):
        doc = {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "",
            "resources": resources or None,
        }
        if output == "json":
            from kctl.cli._printers import marshal_indent

            out.write(marshal_indent(doc, sort_keys=False) + "\n")
        elif output == "kyaml":
            from kctl.cli._printers._kyaml import dump

            out.write(dump(doc, sort_keys=False))
        else:
            from kctl.cli._printers import yaml_dump

            out.write(yaml_dump(doc))
        return
    if output == "name":
        out.write(
            "".join(
                f"{r['name']}.{r['group']}\n" if r.get("group") else f"{r['name']}\n"
                for r in resources
            )
        )
        return
    from kctl.cli._printers import TabWriter

    tw = TabWriter(out)
    wide = output == "wide"
    if not no_headers:
        headers = _HEADERS + (["VERBS", "CATEGORIES"] if wide else [])
        tw.write("\t".join(headers) + "\n")
    for r in resources:
        tw.write(_row(r, wide))
    tw.flush()


def click_command() -> click.Command:
    """A new click command for the verb (``command`` below is the one kctl runs)."""
    from kctl.cli._globals import build_command

    return build_command(
        "api-resources",
        FLAGS,
        run,
        help="Print the supported API resources on the server.",
        short_help="Print the supported API resources on the server",
    )


command = click_command()
