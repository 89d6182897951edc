"""Validation of the common built-in kinds on create and update, with kube-apiserver's field
paths, reasons, texts and cause order (pkg/apis/core/validation, apps, batch, rbac and
coordination validation in Kubernetes 1.37).

Runs before defaulting, so a field the apiserver would default (restartPolicy, protocol,
targetPort, a Service's type, a Secret's type, ...) counts as its default when absent or
empty, which is what the real server sees after decoding.
"""

from __future__ import annotations

import base64
import copy
import difflib
import json
import re
from collections.abc import Callable
from typing import Any

from kctl.sandbox._catalog import ResourceType
from kctl.sandbox._objects import validate_metadata
from kctl.sandbox._selectors import _label_value_errors, _qualified_name_errors

__all__ = ["cron_errors", "validate_object"]

Obj = dict[str, Any]
Cause = dict[str, str]
Defaulter = Callable[[ResourceType, Obj], None]

_RBAC = "rbac.authorization.k8s.io"
_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_CONFIG_KEY_RE = re.compile(r"^[-._a-zA-Z0-9]+$")
_PERCENT_RE = re.compile(r"^[0-9]+%$")
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_CONFIG_KEY_MSG = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)
_PORT_RANGE = "must be between 1 and 65535, inclusive"
_NONNEG = "must be greater than or equal to 0"
_IMMUTABLE = "field is immutable"
_MISMATCH = "`selector` does not match template `labels`"
_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_POD_UPDATABLE = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)"
)


# --- how Go prints values and field errors ----------------------------------------------------


def go_value(value: Any) -> str:
    """A value as field.Error prints it: strings quoted, numbers bare, the rest as JSON."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # encoding/json escapes HTML characters.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Errors:
    """A field.ErrorList: causes in the order the validators append them."""

    def __init__(self) -> None:
        self.causes: list[Cause] = []

    def _add(self, reason: str, path: str, message: str) -> None:
        cause = {"reason": reason, "message": message, "field": path}
        if cause not in self.causes:  # the apiserver reports a repeated error once
            self.causes.append(cause)

    def required(self, path: str, detail: str = "") -> None:
        msg = "Required value" + (f": {detail}" if detail else "")
        self._add("FieldValueRequired", path, msg)

    def invalid(self, path: str, value: Any, detail: str) -> None:
        self._add("FieldValueInvalid", path, f"Invalid value: {go_value(value)}: {detail}")

    def not_supported(self, path: str, value: Any, supported: list[str]) -> None:
        choices = ", ".join(json.dumps(s) for s in supported)
        msg = f"Unsupported value: {go_value(value)}: supported values: {choices}"
        self._add("FieldValueNotSupported", path, msg)

    def duplicate(self, path: str, value: Any) -> None:
        self._add("FieldValueDuplicate", path, f"Duplicate value: {go_value(value)}")

    def forbidden(self, path: str, detail: str) -> None:
        self._add("FieldValueForbidden", path, f"Forbidden: {detail}")

    def not_found(self, path: str, value: Any) -> None:
        self._add("FieldValueNotFound", path, f"Not found: {go_value(value)}")

    def extend(self, causes: list[Cause]) -> None:
        for cause in causes:
            self._add(cause["reason"], cause["field"], cause["message"])


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _nonneg(errs: Errors, path: str, value: Any) -> None:
    number = _int(value)
    if number is not None and number < 0:
        errs.invalid(path, number, _NONNEG)


# --- apimachinery's string checks -------------------------------------------------------------


def dns1123_label_errors(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _LABEL_RE.match(value):
        # A valid subdomain that is no label can only be one with dots.
        errs.append("must not contain dots" if _SUBDOMAIN_RE.match(value) else _LABEL_MSG)
    return errs


def label_key_errors(key: str) -> list[str]:
    """IsLabelKey: IsQualifiedName, naming what it checks."""
    return [
        msg.replace("a qualified name must", "a valid label key must")
        for msg in _qualified_name_errors(key)
    ]


def subdomain_errors(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append("must be no more than 253 characters")
    if not _SUBDOMAIN_RE.match(value):
        errs.append(_SUBDOMAIN_MSG)
    return errs


def port_name_errors(name: str) -> list[str]:
    errs = []
    if len(name) > 15:
        errs.append("must be no more than 15 characters")
    if not re.match(r"^[-a-z0-9]+$", name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def config_key_errors(key: str) -> list[str]:
    errs = []
    if len(key) > 253:
        errs.append("must be no more than 253 characters")
    if not _CONFIG_KEY_RE.match(key):
        errs.append(_CONFIG_KEY_MSG)
    if key == ".":
        errs.append("must not be '.'")
    elif key == "..":
        errs.append("must not be '..'")
    elif key.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def _port_num(errs: Errors, path: str, value: Any) -> None:
    number = _int(value)
    if number is not None and not 1 <= number <= 65535:
        errs.invalid(path, number, _PORT_RANGE)


def _labels(errs: Errors, path: str, labels: Any) -> None:
    # Go walks a map in random order; sorted keys make the sandbox's answer stable.
    for key, value in sorted(_dict(labels).items()):
        for msg in label_key_errors(key):
            errs.invalid(path, key, msg)
        if isinstance(value, str):
            for msg in _label_value_errors(value):
                errs.invalid(path, value, msg)


def _annotations(errs: Errors, path: str, annotations: Any) -> None:
    for key in sorted(_dict(annotations)):
        for msg in label_key_errors(key.lower()):
            errs.invalid(path, key, msg)


# --- label selectors --------------------------------------------------------------------------

_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _selector_shown(selector: Obj) -> Obj:
    """LabelSelector in its JSON field order, empty fields omitted."""
    out: Obj = {}
    if selector.get("matchLabels"):
        out["matchLabels"] = selector["matchLabels"]
    if selector.get("matchExpressions"):
        exprs = []
        for expr in _list(selector["matchExpressions"]):
            item = {k: expr[k] for k in ("key", "operator", "values") if _dict(expr).get(k)}
            exprs.append(item)
        out["matchExpressions"] = exprs
    return out


def _validate_selector(errs: Errors, path: str, selector: Obj) -> bool:
    """ValidateLabelSelector, then whether LabelSelectorAsSelector succeeds."""
    ok = True
    _labels(errs, f"{path}.matchLabels", selector.get("matchLabels"))
    for i, expr in enumerate(_list(selector.get("matchExpressions"))):
        expr = _dict(expr)
        epath = f"{path}.matchExpressions[{i}]"
        op = expr.get("operator", "")
        values = _list(expr.get("values"))
        if op in ("In", "NotIn"):
            if not values:
                errs.required(
                    f"{epath}.values", "must be specified when `operator` is 'In' or 'NotIn'"
                )
                ok = False
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.forbidden(
                    f"{epath}.values",
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
                ok = False
        else:
            errs.invalid(f"{epath}.operator", op, "not a valid selector operator")
            ok = False
        for msg in _qualified_name_errors(str(expr.get("key", ""))):
            errs.invalid(f"{epath}.key", expr.get("key", ""), msg)
            ok = False
    return ok


def _selector_matches(selector: Obj, labels: Obj) -> bool:
    for label, value in _dict(selector.get("matchLabels")).items():
        if labels.get(label) != value:
            return False
    for expr in _list(selector.get("matchExpressions")):
        expr = _dict(expr)
        key, op, values = str(expr.get("key")), expr.get("operator"), _list(expr.get("values"))
        has = key in labels
        if op == "In" and not (has and labels[key] in values):
            return False
        if op == "NotIn" and has and labels[key] in values:
            return False
        if op == "Exists" and not has:
            return False
        if op == "DoesNotExist" and has:
            return False
    return True


# --- pods -------------------------------------------------------------------------------------


def _container(
    errs: Errors, c: Obj, path: str, volumes: set[str], restart_policy_checks: bool = True
) -> None:
    name = c.get("name") or ""
    if not name:
        errs.required(f"{path}.name")
    else:
        for msg in dns1123_label_errors(name):
            errs.invalid(f"{path}.name", name, msg)
    if not c.get("image"):
        errs.required(f"{path}.image")
    tmp = c.get("terminationMessagePolicy") or "File"
    if tmp not in ("File", "FallbackToLogsOnError"):
        errs.not_supported(
            f"{path}.terminationMessagePolicy", tmp, ["File", "FallbackToLogsOnError"]
        )
    _container_ports(errs, _list(c.get("ports")), f"{path}.ports")
    for i, env in enumerate(_list(c.get("env"))):
        env_name = _dict(env).get("name") or ""
        if not env_name:
            errs.required(f"{path}.env[{i}].name")
        elif "=" in env_name or any(not 32 <= ord(ch) <= 126 for ch in env_name):
            errs.invalid(
                f"{path}.env[{i}].name",
                env_name,
                "a valid environment variable name must consist only of printable ASCII "
                "characters other than '='",
            )
    mount_paths: set[str] = set()
    for i, mount in enumerate(_list(c.get("volumeMounts"))):
        mount = _dict(mount)
        mpath = f"{path}.volumeMounts[{i}]"
        mname = mount.get("name") or ""
        if not mname:
            errs.required(f"{mpath}.name")
        if mname not in volumes:
            errs.not_found(f"{mpath}.name", mname)
        mount_path = mount.get("mountPath") or ""
        if not mount_path:
            errs.required(f"{mpath}.mountPath")
        elif mount_path in mount_paths:
            errs.invalid(f"{mpath}.mountPath", mount_path, "must be unique")
        mount_paths.add(mount_path)
    policy = c.get("imagePullPolicy")
    if policy and policy not in ("Always", "IfNotPresent", "Never"):
        errs.not_supported(f"{path}.imagePullPolicy", policy, ["Always", "IfNotPresent", "Never"])


def _container_ports(errs: Errors, ports: list[Any], path: str) -> None:
    names: set[str] = set()
    for i, port in enumerate(ports):
        port = _dict(port)
        ppath = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            msgs = port_name_errors(name)
            for msg in msgs:
                errs.invalid(f"{ppath}.name", name, msg)
            if not msgs and name in names:
                errs.duplicate(f"{ppath}.name", name)
            names.add(name)
        if not port.get("containerPort"):
            errs.required(f"{ppath}.containerPort")
        else:
            _port_num(errs, f"{ppath}.containerPort", port.get("containerPort"))
        if port.get("hostPort"):
            _port_num(errs, f"{ppath}.hostPort", port.get("hostPort"))
        protocol = port.get("protocol") or "TCP"
        if protocol not in _PROTOCOLS:
            errs.not_supported(f"{ppath}.protocol", protocol, _PROTOCOLS)


def _pod_spec(errs: Errors, spec: Obj, path: str) -> None:
    volumes: set[str] = set()
    for i, vol in enumerate(_list(spec.get("volumes"))):
        vname = _dict(vol).get("name") or ""
        npath = f"{path}.volumes[{i}].name"
        if not vname:
            errs.required(npath)
        else:
            for msg in dns1123_label_errors(vname):
                errs.invalid(npath, vname, msg)
        if vname in volumes:
            errs.duplicate(npath, vname)
        volumes.add(vname)
    containers = _list(spec.get("containers"))
    if not containers:
        errs.required(f"{path}.containers")
    names: set[str] = set()
    for i, c in enumerate(containers):
        c = _dict(c)
        _container(errs, c, f"{path}.containers[{i}]", volumes)
        name = c.get("name") or ""
        if name in names:
            errs.duplicate(f"{path}.containers[{i}].name", name)
        names.add(name)
    for i, c in enumerate(_list(spec.get("initContainers"))):
        c = _dict(c)
        _container(errs, c, f"{path}.initContainers[{i}]", volumes)
        name = c.get("name") or ""
        if name in names:
            errs.duplicate(f"{path}.initContainers[{i}].name", name)
        names.add(name)
    restart = spec.get("restartPolicy") or "Always"
    if restart not in ("Always", "OnFailure", "Never"):
        errs.not_supported(f"{path}.restartPolicy", restart, ["Always", "OnFailure", "Never"])
    dns = spec.get("dnsPolicy") or "ClusterFirst"
    dns_values = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    if dns not in dns_values:
        errs.not_supported(f"{path}.dnsPolicy", dns, dns_values)
    _labels(errs, f"{path}.nodeSelector", spec.get("nodeSelector"))
    sa = spec.get("serviceAccountName") or ""
    if sa:
        for msg in subdomain_errors(sa):
            errs.invalid(f"{path}.serviceAccountName", sa, msg)
    deadline = _int(spec.get("activeDeadlineSeconds"))
    if deadline is not None and not 1 <= deadline <= 2147483647:
        errs.invalid(
            f"{path}.activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive"
        )
    for key in ("hostname", "subdomain"):
        value = spec.get(key) or ""
        if value:
            for msg in dns1123_label_errors(value):
                errs.invalid(f"{path}.{key}", value, msg)


def _pod_template(errs: Errors, template: Obj, path: str) -> None:
    meta = _dict(template.get("metadata"))
    _labels(errs, f"{path}.labels", meta.get("labels"))
    _annotations(errs, f"{path}.annotations", meta.get("annotations"))
    _pod_spec(errs, _dict(template.get("spec")), f"{path}.spec")


def _pod(errs: Errors, obj: Obj) -> None:
    _pod_spec(errs, _dict(obj.get("spec")), "spec")


def _pod_update(errs: Errors, new: Obj, old: Obj, defaults: Callable[[Obj], Obj]) -> None:
    new_spec = _dict(defaults(new).get("spec"))
    old_spec = _dict(old.get("spec"))
    for key in ("containers", "initContainers"):
        mine, theirs = _list(new_spec.get(key)), _list(old_spec.get(key))
        if len(mine) != len(theirs):
            errs.forbidden(f"spec.{key}", "pod updates may not add or remove containers")
            return
        for i, c in enumerate(mine):
            if not _dict(c).get("image"):
                errs.required(f"spec.{key}[{i}].image")
    munged = copy.deepcopy(new_spec)
    for key in ("containers", "initContainers"):
        for c, before in zip(_list(munged.get(key)), _list(old_spec.get(key)), strict=False):
            if isinstance(c, dict) and isinstance(before, dict):
                c["image"] = before.get("image")
    for key in ("activeDeadlineSeconds", "tolerations"):
        if key in old_spec:
            munged[key] = old_spec[key]
        else:
            munged.pop(key, None)
    old_grace = _int(old_spec.get("terminationGracePeriodSeconds"))
    if old_grace is not None and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if munged != old_spec:
        # The real server appends a cmp.Diff of its internal structs; a JSON diff says the same.
        before = json.dumps(old_spec, indent=1, sort_keys=True).splitlines()
        after = json.dumps(munged, indent=1, sort_keys=True).splitlines()
        diff = "\n".join(list(difflib.unified_diff(before, after, lineterm="", n=1))[2:])
        errs.forbidden("spec", f"{_POD_UPDATABLE}\n{diff}\n")


# --- apps ---------------------------------------------------------------------------------


def _replica_template(
    errs: Errors, spec: Obj, selector_ok: bool, kind: str, validate_pod: bool = True
) -> None:
    """ValidatePodTemplateSpecForReplicaSet (and its StatefulSet sibling)."""
    template = _dict(spec.get("template"))
    labels = _dict(template.get("metadata")).get("labels")
    selector = spec.get("selector")
    if not selector_ok:
        return
    # A nil selector selects nothing; an empty one selects everything.
    matches = isinstance(selector, dict) and _selector_matches(selector, _dict(labels))
    if not matches:
        errs.invalid("spec.template.metadata.labels", labels, _MISMATCH)
    if validate_pod:
        _pod_template(errs, template, "spec.template")
    else:
        meta = _dict(template.get("metadata"))
        _labels(errs, "spec.template.labels", meta.get("labels"))
        _annotations(errs, "spec.template.annotations", meta.get("annotations"))
    tspec = _dict(template.get("spec"))
    restart = tspec.get("restartPolicy") or "Always"
    if kind == "StatefulSet":
        # StatefulSets validate the pod spec after these checks.
        _pod_spec(errs, tspec, "spec.template.spec")
    if restart != "Always":
        errs.not_supported("spec.template.spec.restartPolicy", restart, ["Always"])
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.invalid(
            "spec.template.spec.activeDeadlineSeconds",
            tspec["activeDeadlineSeconds"],
            f"activeDeadlineSeconds in {kind} is not Supported",
        )


def _required_selector(errs: Errors, spec: Obj, what: str) -> bool:
    selector = spec.get("selector")
    ok = True
    if not isinstance(selector, dict):
        errs.required("spec.selector")
        return True
    ok = _validate_selector(errs, "spec.selector", selector)
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.invalid(
            "spec.selector", _selector_shown(selector), f"empty selector is invalid for {what}"
        )
    if not ok:
        errs.invalid("spec.selector", _selector_shown(selector), "invalid label selector")
    return ok


def _int_or_percent(errs: Errors, path: str, value: Any) -> int | None:
    if isinstance(value, str):
        if not _PERCENT_RE.match(value):
            errs.invalid(
                path,
                value,
                "a valid percent string must be a numeric string followed by an ending '%' "
                "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
            )
            return None
        return int(value[:-1])
    number = _int(value)
    if number is not None and number < 0:
        errs.invalid(path, number, _NONNEG)
    return number


def _deployment(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    _nonneg(errs, "spec.replicas", spec.get("replicas"))
    ok = _required_selector(errs, spec, "deployment")
    _replica_template(errs, spec, ok, "Deployment")
    strategy = _dict(spec.get("strategy"))
    stype = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if stype == "Recreate":
        if rolling is not None:
            errs.forbidden(
                "spec.strategy.rollingUpdate",
                "may not be specified when strategy `type` is 'Recreate'",
            )
    elif stype == "RollingUpdate":
        rolling = _dict(rolling)
        unavailable = rolling.get("maxUnavailable", "25%")
        surge = rolling.get("maxSurge", "25%")
        path = "spec.strategy.rollingUpdate"
        u = _int_or_percent(errs, f"{path}.maxUnavailable", unavailable)
        s = _int_or_percent(errs, f"{path}.maxSurge", surge)
        if u == 0 and s == 0:
            errs.invalid(f"{path}.maxUnavailable", unavailable, "may not be 0 when `maxSurge` is 0")
        if isinstance(unavailable, str) and u is not None and u > 100:
            errs.invalid(f"{path}.maxUnavailable", unavailable, "must not be greater than 100%")
    else:
        shown = {"Type": stype, "RollingUpdate": None}
        errs.not_supported("spec.strategy", shown, ["Recreate", "RollingUpdate"])
    _nonneg(errs, "spec.minReadySeconds", spec.get("minReadySeconds"))
    _nonneg(errs, "spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    deadline = _int(spec.get("progressDeadlineSeconds"))
    if deadline is not None:
        _nonneg(errs, "spec.progressDeadlineSeconds", deadline)
        if deadline <= (_int(spec.get("minReadySeconds")) or 0):
            errs.invalid(
                "spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"
            )


def _replicaset(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    _nonneg(errs, "spec.replicas", spec.get("replicas"))
    _nonneg(errs, "spec.minReadySeconds", spec.get("minReadySeconds"))
    ok = _required_selector(errs, spec, "deployment")
    _replica_template(errs, spec, ok, "ReplicaSet")


def _statefulset(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    policy = spec.get("podManagementPolicy") or "OrderedReady"
    if policy not in ("OrderedReady", "Parallel"):
        errs.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'")
    strategy = _dict(spec.get("updateStrategy"))
    stype = strategy.get("type") or "RollingUpdate"
    if stype == "OnDelete":
        if strategy.get("rollingUpdate") is not None:
            errs.invalid(
                "spec.updateStrategy.rollingUpdate",
                strategy["rollingUpdate"],
                "only allowed for updateStrategy 'RollingUpdate'",
            )
    elif stype != "RollingUpdate":
        shown = {"Type": stype, "RollingUpdate": None}
        errs.invalid("spec.updateStrategy", shown, "must be 'RollingUpdate' or 'OnDelete'")
    _nonneg(errs, "spec.replicas", spec.get("replicas"))
    _nonneg(errs, "spec.minReadySeconds", spec.get("minReadySeconds"))
    ok = _required_selector(errs, spec, "statefulset")
    _replica_template(errs, spec, ok, "StatefulSet", validate_pod=False)


def _daemonset(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    selector = spec.get("selector")
    ok = True
    if isinstance(selector, dict):
        ok = _validate_selector(errs, "spec.selector", selector)
    template = _dict(spec.get("template"))
    labels = _dict(template.get("metadata")).get("labels")
    if ok and not (isinstance(selector, dict) and _selector_matches(selector, _dict(labels))):
        errs.invalid("spec.template.metadata.labels", labels, _MISMATCH)
    if isinstance(selector, dict) and not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    ):
        errs.invalid(
            "spec.selector", _selector_shown(selector), "empty selector is invalid for daemonset"
        )
    _pod_template(errs, template, "spec.template")
    tspec = _dict(template.get("spec"))
    restart = tspec.get("restartPolicy") or "Always"
    if restart != "Always":
        errs.not_supported("spec.template.spec.restartPolicy", restart, ["Always"])
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.invalid(
            "spec.template.spec.activeDeadlineSeconds",
            tspec["activeDeadlineSeconds"],
            "activeDeadlineSeconds in DaemonSet is not Supported",
        )
    _nonneg(errs, "spec.minReadySeconds", spec.get("minReadySeconds"))
    strategy = _dict(spec.get("updateStrategy"))
    stype = strategy.get("type") or "RollingUpdate"
    if stype not in ("RollingUpdate", "OnDelete"):
        shown = {"Type": stype, "RollingUpdate": None}
        errs.not_supported("spec.updateStrategy", shown, ["RollingUpdate", "OnDelete"])
    _nonneg(errs, "spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))


def _selector_immutable(errs: Errors, new: Obj, old: Obj) -> None:
    mine = _dict(new.get("spec")).get("selector")
    theirs = _dict(old.get("spec")).get("selector")
    if _selector_shown(_dict(mine)) != _selector_shown(_dict(theirs)):
        errs.invalid("spec.selector", _selector_shown(_dict(mine)), _IMMUTABLE)


# --- batch ----------------------------------------------------------------------------------


def _job_spec(errs: Errors, spec: Obj, path: str) -> None:
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit"):
        _nonneg(errs, f"{path}.{key}", spec.get(key))
    _nonneg(errs, f"{path}.ttlSecondsAfterFinished", spec.get("ttlSecondsAfterFinished"))
    template = _dict(spec.get("template"))
    _pod_template(errs, template, f"{path}.template")
    restart = _dict(template.get("spec")).get("restartPolicy") or "Always"
    if restart == "Always":
        errs.required(f"{path}.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"')
    elif restart not in ("OnFailure", "Never"):
        errs.not_supported(f"{path}.template.spec.restartPolicy", restart, ["OnFailure", "Never"])


def _job(errs: Errors, obj: Obj) -> None:
    _job_spec(errs, _dict(obj.get("spec")), "spec")


def _job_update(errs: Errors, new: Obj, old: Obj) -> None:
    # Compared as the server sees them: defaulted.
    spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    if spec.get("completions") != old_spec.get("completions"):
        errs.invalid("spec.completions", spec.get("completions"), _IMMUTABLE)
    if spec.get("selector") is not None and spec.get("selector") != old_spec.get("selector"):
        errs.invalid("spec.selector", _selector_shown(_dict(spec.get("selector"))), _IMMUTABLE)
    if _dict(spec.get("template")) != _dict(old_spec.get("template")):
        errs.invalid("spec.template", spec.get("template"), _IMMUTABLE)


_CRON_BOUNDS: list[tuple[int, int, dict[str, int]]] = [
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            )
        },
    ),
    (0, 6, {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}),
]
_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def _cron_int(expr: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", expr):
        raise ValueError(
            f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
        )
    number = int(expr)
    if number < 0:
        raise ValueError(f"negative number ({number}) not allowed: {expr}")
    return number


def _cron_range(expr: str, low: int, high: int, names: dict[str, int]) -> None:
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    if low_high[0] in ("*", "?"):
        start, end = low, high
    else:
        named_start = names.get(low_high[0].lower())
        start = named_start if named_start is not None else _cron_int(low_high[0])
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            named = names.get(low_high[1].lower())
            end = named if named is not None else _cron_int(low_high[1])
        else:
            raise ValueError(f"too many hyphens: {expr}")
    step = 1
    if len(range_and_step) == 2:
        step = _cron_int(range_and_step[1])
        if len(low_high) == 1:
            end = high
    elif len(range_and_step) > 2:
        raise ValueError(f"too many slashes: {expr}")
    if start < low:
        raise ValueError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise ValueError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")


def cron_errors(schedule: str) -> str | None:
    """robfig/cron's ParseStandard error text for a schedule, or None when it parses."""
    if "TZ" in schedule:
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    if schedule.startswith("@"):
        if schedule in _DESCRIPTORS:
            return None
        if schedule.startswith("@every "):
            if re.fullmatch(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+", schedule[7:]):
                return None
            return f'failed to parse duration {schedule}: time: invalid duration "{schedule[7:]}"'
        return f"unrecognized descriptor: {schedule}"
    fields = schedule.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    try:
        for text, (low, high, names) in zip(fields, _CRON_BOUNDS, strict=True):
            for part in text.split(","):
                _cron_range(part, low, high, names)
    except ValueError as err:
        return str(err)
    return None


def _time_zone_error(tz: str) -> str | None:
    if not tz:
        return "timeZone must be nil or non-empty string"
    if tz.lower() == "local":
        return (
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
        )
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {tz}"
    return None


def _cronjob(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    schedule = spec.get("schedule") or ""
    if not schedule:
        errs.required("spec.schedule")
    else:
        problem = cron_errors(schedule)
        if problem:
            errs.invalid("spec.schedule", schedule, problem)
    _nonneg(errs, "spec.startingDeadlineSeconds", spec.get("startingDeadlineSeconds"))
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy not in ("Allow", "Forbid", "Replace"):
        errs.not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"])
    job_template = _dict(spec.get("jobTemplate"))
    _job_spec(errs, _dict(job_template.get("spec")), "spec.jobTemplate.spec")
    _nonneg(errs, "spec.successfulJobsHistoryLimit", spec.get("successfulJobsHistoryLimit"))
    _nonneg(errs, "spec.failedJobsHistoryLimit", spec.get("failedJobsHistoryLimit"))
    tz = spec.get("timeZone")
    if isinstance(tz, str):
        problem = _time_zone_error(tz)
        if problem:
            errs.invalid("spec.timeZone", tz, problem)


# --- Service --------------------------------------------------------------------------------


def _valid_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _service_ips(spec: Obj) -> list[str]:
    ips = [ip for ip in _list(spec.get("clusterIPs")) if isinstance(ip, str)]
    if not ips and spec.get("clusterIP"):
        ips = [spec["clusterIP"]]
    return ips


def _service(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    stype = spec.get("type") or "ClusterIP"
    ports = _list(spec.get("ports"))
    ips = _service_ips(spec)
    headless = bool(ips) and ips[0] == "None"
    if not ports and not headless and stype != "ExternalName":
        errs.required("spec.ports")
    if stype == "ExternalName":
        cname = (spec.get("externalName") or "").removesuffix(".")
        if not cname:
            errs.required("spec.externalName")
        else:
            for msg in subdomain_errors(cname):
                errs.invalid("spec.externalName", cname, msg)
    names: set[str] = set()
    for i, port in enumerate(ports):
        port = _dict(port)
        path = f"spec.ports[{i}]"
        name = port.get("name") or ""
        if len(ports) > 1 and not name:
            errs.required(f"{path}.name")
        elif name:
            for msg in dns1123_label_errors(name):
                errs.invalid(f"{path}.name", name, msg)
            if name in names:
                errs.duplicate(f"{path}.name", name)
            names.add(name)
        number = _int(port.get("port")) or 0
        if not 1 <= number <= 65535:
            errs.invalid(f"{path}.port", number, _PORT_RANGE)
        protocol = port.get("protocol") or "TCP"
        if protocol not in _PROTOCOLS:
            errs.not_supported(f"{path}.protocol", protocol, _PROTOCOLS)
        target = port.get("targetPort")
        if target in (None, 0, ""):
            target = number  # defaulted to the port
        if isinstance(target, str):
            for msg in port_name_errors(target):
                errs.invalid(f"{path}.targetPort", target, msg)
        elif isinstance(target, int) and not 1 <= target <= 65535:
            errs.invalid(f"{path}.targetPort", target, _PORT_RANGE)
    if isinstance(spec.get("selector"), dict):
        _labels(errs, "spec.selector", spec["selector"])
    affinity = spec.get("sessionAffinity") or "None"
    if affinity not in ("ClientIP", "None"):
        errs.not_supported("spec.sessionAffinity", affinity, ["ClientIP", "None"])
    for i, ip in enumerate(ips):
        if ip != "None" and not _valid_ip(ip):
            errs.invalid(
                f"spec.clusterIPs[{i}]",
                ip,
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            )
    types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    if stype not in types:
        errs.not_supported("spec.type", stype, types)
    if stype == "ClusterIP":
        for i, port in enumerate(ports):
            if _dict(port).get("nodePort"):
                errs.forbidden(
                    f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"
                )
    seen: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        port = _dict(port)
        key = (port.get("protocol") or "TCP", _int(port.get("port")) or 0)
        if key in seen:
            shown = (
                f'{{"Name":"","Protocol":{json.dumps(key[0])},"AppProtocol":null,'
                f'"Port":{key[1]},"TargetPort":0,"NodePort":0}}'
            )
            errs._add("FieldValueDuplicate", f"spec.ports[{i}]", f"Duplicate value: {shown}")
        seen.add(key)


def _service_update(errs: Errors, new: Obj, old: Obj) -> None:
    spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    ips = _service_ips(spec)
    old_ips = _service_ips(old_spec)
    cluster_ip = spec.get("clusterIP")
    if (
        cluster_ip
        and cluster_ip != old_spec.get("clusterIP")
        and spec.get("clusterIPs") == old_spec.get("clusterIPs")
    ):
        # The registry's normalizeClusterIPs: a patch that changes only clusterIP (as
        # kubectl apply's does) changes clusterIPs with it, so the check below sees it.
        ips = [cluster_ip]
    if ips and old_ips and ips[0] != old_ips[0] and old_ips[0] not in ("", "None"):
        errs.invalid("spec.clusterIPs[0]", ips, "may not change once set")


# --- ConfigMap, Secret --------------------------------------------------------------------


def _configmap(errs: Errors, obj: Obj) -> None:
    data, binary = _dict(obj.get("data")), _dict(obj.get("binaryData"))
    for key in sorted(data):
        for msg in config_key_errors(key):
            errs.invalid(f"data[{key}]", key, msg)
        if key in binary:
            errs.invalid(f"data[{key}]", key, "duplicate of key present in binaryData")
    for key in sorted(binary):
        for msg in config_key_errors(key):
            errs.invalid(f"binaryData[{key}]", key, msg)


def _immutable_data(errs: Errors, new: Obj, old: Obj, keys: tuple[str, ...]) -> None:
    if old.get("immutable") is not True:
        return
    if new.get("immutable") is not True:
        errs.forbidden("immutable", "field is immutable when `immutable` is set")
    for key in keys:
        if (new.get(key) or None) != (old.get(key) or None):
            errs.forbidden(key, "field is immutable when `immutable` is set")


def _secret_data(obj: Obj) -> Obj:
    data = dict(_dict(obj.get("data")))
    for key, value in _dict(obj.get("stringData")).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    return data


def _json_error(raw: str) -> str | None:
    try:
        blob = base64.b64decode(raw or "", validate=False)
        parsed = json.loads(blob)
    except (ValueError, UnicodeDecodeError):
        text = blob.decode(errors="replace").lstrip() if "blob" in locals() else ""
        if not text:
            return "unexpected end of JSON input"
        return f"invalid character {text[0]!r} looking for beginning of value"
    if not isinstance(parsed, dict):
        kind = {list: "array", str: "string", bool: "bool"}.get(type(parsed), "number")
        return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    return None


def _secret(errs: Errors, obj: Obj) -> None:
    data = _secret_data(obj)
    for key in sorted(data):
        for msg in config_key_errors(key):
            errs.invalid(f"data[{key}]", key, msg)
    stype = obj.get("type") or "Opaque"
    if stype == "kubernetes.io/service-account-token":
        ann = _dict(_dict(obj.get("metadata")).get("annotations"))
        if not ann.get("kubernetes.io/service-account.name"):
            errs.required("metadata.annotations[kubernetes.io/service-account.name]")
    elif stype in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = ".dockercfg" if stype.endswith("dockercfg") else ".dockerconfigjson"
        if key not in data:
            errs.required(f"data[{key}]")
        else:
            problem = _json_error(str(data[key]))
            if problem:
                errs.invalid(f"data[{key}]", "<secret contents redacted>", problem)
    elif stype == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs.required("data[username]")
            errs.required("data[password]")
    elif stype == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            errs.required("data[ssh-privatekey]")
    elif stype == "kubernetes.io/tls":
        for key in ("tls.crt", "tls.key"):
            if key not in data:
                errs.required(f"data[{key}]")


def _secret_update(errs: Errors, new: Obj, old: Obj) -> None:
    stype, old_type = new.get("type") or "Opaque", old.get("type") or "Opaque"
    if stype != old_type:
        errs.invalid("type", stype, _IMMUTABLE)
    _immutable_data(errs, {**new, "data": _secret_data(new)}, old, ("data",))


# --- RBAC, Lease ----------------------------------------------------------------------------


def _rules(errs: Errors, obj: Obj, namespaced: bool) -> None:
    # The verbs check is declarative in 1.37: its errors come after every hand-written one.
    missing_verbs: list[str] = []
    for i, rule in enumerate(_list(obj.get("rules"))):
        rule = _dict(rule)
        path = f"rules[{i}]"
        if not rule.get("verbs"):
            missing_verbs.append(f"{path}.verbs")
        urls = rule.get("nonResourceURLs")
        if urls:
            if namespaced:
                errs.invalid(
                    f"{path}.nonResourceURLs",
                    urls,
                    "namespaced rules cannot apply to non-resource URLs",
                )
            elif rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
                errs.invalid(
                    f"{path}.nonResourceURLs",
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                )
            continue
        if not rule.get("apiGroups"):
            errs.required(f"{path}.apiGroups", "resource rules must supply at least one api group")
        if not rule.get("resources"):
            errs.required(f"{path}.resources", "resource rules must supply at least one resource")
    for path in missing_verbs:
        errs.required(path)


def _binding(errs: Errors, obj: Obj, namespaced: bool) -> None:
    ref = _dict(obj.get("roleRef"))
    group = ref.get("apiGroup") or _RBAC
    if group != _RBAC:
        errs.not_supported("roleRef.apiGroup", group, [_RBAC])
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    kind = ref.get("kind") or ""
    if kind not in kinds:
        errs.not_supported("roleRef.kind", kind, kinds)
    name = ref.get("name") or ""
    if not name:
        errs.required("roleRef.name")
    else:
        for bad in ("/", "%"):
            if bad in name:
                errs.invalid("roleRef.name", name, f"may not contain '{bad}'")
    for i, subject in enumerate(_list(obj.get("subjects"))):
        subject = _dict(subject)
        path = f"subjects[{i}]"
        sname = subject.get("name") or ""
        if not sname:
            errs.required(f"{path}.name")
        skind = subject.get("kind") or ""
        sgroup = subject.get("apiGroup") or ""
        if skind == "ServiceAccount":
            if sname:
                for msg in subdomain_errors(sname):
                    errs.invalid(f"{path}.name", sname, msg)
            if sgroup:
                errs.not_supported(f"{path}.apiGroup", sgroup, [""])
            if not namespaced and not subject.get("namespace"):
                errs.required(f"{path}.namespace")
        elif skind in ("User", "Group"):
            if (sgroup or _RBAC) != _RBAC:
                errs.not_supported(f"{path}.apiGroup", sgroup, [_RBAC])
        else:
            errs.not_supported(f"{path}.kind", skind, ["ServiceAccount", "User", "Group"])


def _binding_update(errs: Errors, new: Obj, old: Obj) -> None:
    def shown(obj: Obj) -> Obj:
        ref = _dict(obj.get("roleRef"))
        return {
            "APIGroup": ref.get("apiGroup") or _RBAC,
            "Kind": ref.get("kind") or "",
            "Name": ref.get("name") or "",
        }

    if shown(new) != shown(old):
        errs.invalid("roleRef", shown(new), _IMMUTABLE)


def _lease(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    duration = _int(spec.get("leaseDurationSeconds"))
    if duration is not None and duration <= 0:
        errs.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0")
    _nonneg(errs, "spec.leaseTransitions", spec.get("leaseTransitions"))


# --- entry point ----------------------------------------------------------------------------

_CREATE: dict[tuple[str, str], Callable[[Errors, Obj], None]] = {
    ("", "Pod"): _pod,
    ("apps", "Deployment"): _deployment,
    ("apps", "ReplicaSet"): _replicaset,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("batch", "CronJob"): _cronjob,
    ("", "Service"): _service,
    ("", "ConfigMap"): _configmap,
    ("", "Secret"): _secret,
    (_RBAC, "Role"): lambda errs, obj: _rules(errs, obj, True),
    (_RBAC, "ClusterRole"): lambda errs, obj: _rules(errs, obj, False),
    (_RBAC, "RoleBinding"): lambda errs, obj: _binding(errs, obj, True),
    (_RBAC, "ClusterRoleBinding"): lambda errs, obj: _binding(errs, obj, False),
    ("coordination.k8s.io", "Lease"): _lease,
}


def _metadata(rt: ResourceType, obj: Obj) -> list[Cause]:
    meta = _dict(obj.get("metadata"))
    if rt.kind == "Namespace" and rt.group == "" and meta.get("name"):
        # The namespace's own name label is set before validation, and judged with the rest.
        labels = {**_dict(meta.get("labels")), "kubernetes.io/metadata.name": meta["name"]}
        return validate_metadata(rt, {**obj, "metadata": {**meta, "labels": labels}})
    if (rt.group, rt.kind) == ("batch", "Job") and not _dict(obj.get("metadata")).get("labels"):
        # A Job without labels takes its template's, before validation.
        template_meta = _dict(_dict(_dict(obj.get("spec")).get("template")).get("metadata"))
        if template_meta.get("labels"):
            view = {**obj, "metadata": {**_dict(obj.get("metadata"))}}
            view["metadata"]["labels"] = template_meta["labels"]
            return validate_metadata(rt, view)
    causes = validate_metadata(rt, obj)
    if (rt.group, rt.kind) == ("batch", "CronJob"):
        name = _dict(obj.get("metadata")).get("name") or ""
        if len(name) > 52:
            errs = Errors()
            errs.invalid("metadata.name", name, "must be no more than 52 characters")
            causes.extend(errs.causes)
    return causes


def validate_object(
    rt: ResourceType,
    obj: Obj,
    old: Obj | None = None,
    defaulter: Defaulter | None = None,
) -> list[Cause]:
    """The causes kube-apiserver reports for ``obj`` (created when ``old`` is None, else an
    update of ``old``), in its order; empty when the object is valid."""
    errs = Errors()
    errs.extend(_metadata(rt, obj))
    if rt.is_crd:
        return errs.causes
    key = (rt.group, rt.kind)
    check = _CREATE.get(key)
    if old is not None:
        # Updates whose immutability checks come before the object's own validation.
        if key == ("", "Service"):
            _service_update(errs, obj, old)
        elif key == ("", "ConfigMap"):
            _immutable_data(errs, obj, old, ("data", "binaryData"))
        elif key == ("", "Secret"):
            _secret_update(errs, obj, old)
    if check is not None:
        check(errs, obj)
    if old is not None:
        if key in (
            ("apps", "Deployment"),
            ("apps", "ReplicaSet"),
            ("apps", "StatefulSet"),
            ("apps", "DaemonSet"),
        ):
            _selector_immutable(errs, obj, old)
        elif key in ((_RBAC, "RoleBinding"), (_RBAC, "ClusterRoleBinding")):
            _binding_update(errs, obj, old)
        elif key in (("batch", "Job"), ("", "Pod")):

            def defaults(item: Obj) -> Obj:
                item = copy.deepcopy(item)
                if defaulter is not None:
                    defaulter(rt, item)
                return item

            if key == ("", "Pod"):
                _pod_update(errs, obj, old, defaults)
            else:
                _job_update(errs, defaults(obj), old)
    return errs.causes
