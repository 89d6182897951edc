"""kubectl's client-side schema validation, for the documents the server cannot validate.

apply's --validate=strict|warn asks the server to validate (the fieldValidation parameter),
but only for kinds whose PATCH endpoint takes that parameter (cli-runtime's
QueryParamVerifier): a ``v1 List``, a typed list (``ConfigMapList``) or another kind with no
endpoint of its own is validated by kubectl itself, against the server's OpenAPI v2 models
(kube-openapi's proto validation), with texts such as ``ValidationError(ConfigMapList.items[0]
.data): invalid type for io.k8s.api.core.v1.ConfigMap.data: got "integer", expected "map"``.
With warn, kubectl only logs that it skips such a document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kctl.util.goformat import go_quote

if TYPE_CHECKING:
    from kctl.cli._globals import Factory

__all__ = ["SchemaValidator", "aggregate_text"]

_GVK_EXTENSION = "x-kubernetes-group-version-kind"
_DEFINITIONS = "#/definitions/"
GVK = tuple[str, str, str]


def aggregate_text(messages: list[str]) -> str | None:
    """utilerrors.NewAggregate(errs).Error(): repeated messages once, several in brackets."""
    distinct = list(dict.fromkeys(messages))
    if not distinct:
        return None
    return distinct[0] if len(distinct) == 1 else "[" + ", ".join(distinct) + "]"


class SchemaValidator:
    """cli-runtime's paramVerifyingSchema around kubectl's schemaValidation, as a callable
    over one decoded document whose apiVersion and kind were found usable: the validation
    problem's text, or None."""

    def __init__(
        self, factory: Factory, directive: str, warn: Callable[[str, str], None] | None = None
    ) -> None:
        self._factory = factory
        self._directive = directive
        self._warn = warn
        self._patchable: set[GVK] | None = None
        self._document: dict[str, Any] | None = None
        self._models: dict[GVK, str] | None = None

    def __call__(self, obj: dict[str, Any]) -> str | None:
        gvk = _gvk_of(obj)
        if self._supported(gvk):
            return None
        if self._directive != "Strict":
            if self._warn is not None:
                self._warn(
                    "cannot perform warn validation if server-side field validation is "
                    "unsupported, skipping validation",
                    "schema.go:145",
                )
            return None
        if gvk == ("", "v1", "List"):
            return aggregate_text(self._validate_list(obj))
        return aggregate_text(self._validate_resource(obj, gvk))

    # -- QueryParamVerifier.HasSupport ------------------------------------------------------

    def _supported(self, gvk: GVK) -> bool:
        if gvk == ("", "v1", "List"):
            return False
        # Every kind a server serves with the patch verb has a PATCH endpoint that takes
        # fieldValidation (all of kube-apiserver's since 1.25, custom resources' too), so
        # discovery answers without the OpenAPI document for the common case.
        if gvk in self._patchable_kinds():
            return True
        return self._patch_takes_field_validation(gvk)

    def _patchable_kinds(self) -> set[GVK]:
        if self._patchable is None:
            from kctl.errors import GroupDiscoveryFailedError
            from kctl.schema import parse_group_version

            try:
                _, lists = self._factory.discovery().server_groups_and_resources()
            except GroupDiscoveryFailedError as err:
                # What was discovered still counts; the rest is judged by the OpenAPI paths.
                _, lists = err.partial or ((), [])
            kinds: set[GVK] = set()
            for resources in lists:
                gv = parse_group_version(resources.group_version)
                for res in resources.resources:
                    if "patch" in res.verbs:
                        kinds.add((res.group or gv.group, res.version or gv.version, res.kind))
            self._patchable = kinds
        return self._patchable

    def _patch_takes_field_validation(self, gvk: GVK) -> bool:
        """supportsQueryParam over the OpenAPI paths. A kind no PATCH endpoint names would
        next be looked up among the CRDs; no CRD defines a kind the OpenAPI models know
        without an endpoint, and an unknown kind is not validated either way."""
        doc = self._openapi()
        global_params = doc.get("parameters") or {}
        for item in (doc.get("paths") or {}).values():
            patch = item.get("patch") if isinstance(item, dict) else None
            if not isinstance(patch, dict) or _gvk_extension(patch) != gvk:
                continue
            for param in patch.get("parameters") or []:
                if not isinstance(param, dict):
                    continue
                ref = str(param.get("$ref") or "")
                if ref.startswith("#/parameters/"):
                    param = global_params.get(ref.removeprefix("#/parameters/")) or {}
                if param.get("in") == "query" and param.get("name") == "fieldValidation":
                    return True
            return False
        return False

    def _openapi(self) -> dict[str, Any]:
        if self._document is None:
            client = self._factory.rest_client("", "v1")
            req = client.get().abs_path("/openapi/v2").set_header("Accept", "application/json")
            body = req.do().json()
            self._document = body if isinstance(body, dict) else {}
        return self._document

    # -- schemaValidation ---------------------------------------------------------------------

    def _validate_list(self, obj: dict[str, Any]) -> list[str]:
        from kctl.cli._manifests import type_meta_problems

        items = obj.get("items")
        if not isinstance(items, list):
            return ["invalid object to validate"]
        errors: list[str] = []
        for item in items:
            problems = type_meta_problems(item)
            if problems:
                errors += problems
            else:
                errors += self._validate_resource(item, _gvk_of(item))
        return errors

    def _validate_resource(self, obj: Any, gvk: GVK) -> list[str]:
        model = self._model_names().get(gvk)
        if model is None:
            return []  # a kind the server publishes no model for is not validated
        definitions = self._openapi().get("definitions") or {}
        errors: list[str] = []
        _Validation(definitions, errors).value(obj, gvk[2], {"$ref": _DEFINITIONS + model}, "")
        return errors

    def _model_names(self) -> dict[GVK, str]:
        """openapi.NewOpenAPIData: each model's x-kubernetes-group-version-kind entries, the
        models in name order (a later one wins a shared kind)."""
        if self._models is None:
            definitions = self._openapi().get("definitions") or {}
            models: dict[GVK, str] = {}
            for name in sorted(definitions):
                schema = definitions[name]
                entries = schema.get(_GVK_EXTENSION) if isinstance(schema, dict) else None
                for entry in entries if isinstance(entries, list) else []:
                    gvk = _gvk_entry(entry)
                    if gvk is not None and gvk[2]:
                        models[gvk] = name
            self._models = models
        return self._models


def _gvk_of(obj: dict[str, Any]) -> GVK:
    from kctl.schema import parse_group_version

    gv = parse_group_version(str(obj.get("apiVersion") or ""))
    return (gv.group, gv.version, str(obj.get("kind") or ""))


def _gvk_entry(entry: Any) -> GVK | None:
    """One x-kubernetes-group-version-kind entry, when all three are strings."""
    if not isinstance(entry, dict):
        return None
    parts = tuple(entry.get(key) for key in ("group", "version", "kind"))
    if not all(isinstance(part, str) for part in parts):
        return None
    return (str(parts[0]), str(parts[1]), str(parts[2]))


def _gvk_extension(operation: dict[str, Any]) -> GVK | None:
    entry = operation.get(_GVK_EXTENSION)
    if not isinstance(entry, dict):
        return None
    return (str(entry.get("group", "")), str(entry.get("version", "")), str(entry.get("kind", "")))


def _value_kind(value: Any) -> str:
    """kube-openapi's itemFactory: the JSON type of a value, by its Go reflect kind."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "map"


class _Validation:
    """kube-openapi's proto validation (ValidateModel) over raw OpenAPI v2 schemas: an item
    path (``ConfigMap.data``) for where the value is, a schema path (the model's name and its
    fields, ``io.k8s.api.core.v1.ConfigMap.data``) for what it should have been."""

    def __init__(self, definitions: dict[str, Any], errors: list[str]) -> None:
        self.definitions = definitions
        self.errors = errors

    def _invalid(self, where: str, schema_path: str, got: str, expected: str) -> None:
        self.errors.append(
            f'ValidationError({where}): invalid type for {schema_path}: got "{got}", '
            f'expected "{expected}"'
        )

    def value(self, value: Any, where: str, schema: Any, schema_path: str) -> None:
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.removeprefix(_DEFINITIONS)
            self.value(value, where, self.definitions.get(name), name)
            return
        types = schema.get("type")
        kind = types if isinstance(types, str) else (types[0] if types else "")
        got = _value_kind(value)
        if kind in ("", "object"):
            if "properties" in schema:
                self._kind(value, got, where, schema, schema_path)
            elif kind == "object":
                self._map(value, got, where, schema, schema_path)
            return  # anything goes (Arbitrary)
        if kind == "array":
            self._array(value, got, where, schema, schema_path)
            return
        numeric = ("integer", "number")
        # A string field takes any scalar; a number field either kind of number.
        fits = kind == "string" or kind == got or (kind in numeric and got in numeric)
        if got in ("map", "array") or not fits:
            self._invalid(where, schema_path, got, kind)

    def _kind(self, value: Any, got: str, where: str, schema: dict[str, Any], path: str) -> None:
        if got != "map":
            self._invalid(where, path, got, "map")
            return
        fields = schema.get("properties") or {}
        for key in sorted(value):
            if value[key] is None:
                continue
            if key not in fields:
                field = go_quote(key)
                self.errors.append(f"ValidationError({where}): unknown field {field} in {path}")
                continue
            self.value(value[key], f"{where}.{key}", fields[key], f"{path}.{key}")
        for required in schema.get("required") or []:
            if value.get(required) is None:
                field = go_quote(str(required))
                self.errors.append(
                    f"ValidationError({where}): missing required field {field} in {path}"
                )

    def _map(self, value: Any, got: str, where: str, schema: dict[str, Any], path: str) -> None:
        if got != "map":
            self._invalid(where, path, got, "map")
            return
        sub = schema.get("additionalProperties")
        for key in sorted(value):
            if value[key] is None:
                self.errors.append(f'unknown object type "nil" in {where}.{key}')
                continue
            if isinstance(sub, dict):
                self.value(value[key], f"{where}.{key}", sub, path)

    def _array(self, value: Any, got: str, where: str, schema: dict[str, Any], path: str) -> None:
        if got != "array":
            self._invalid(where, path, got, "array")
            return
        sub = schema.get("items")
        for index, element in enumerate(value):
            at = f"{where}[{index}]"
            if element is None:
                self.errors.append(f'ValidationError({where}): unknown object type "nil" in {at}')
                continue
            self.value(element, at, sub, path)
