"""``kctl port-forward``: forward local ports to a pod, as ``kubectl port-forward``.

The pod is found as ``kctl exec`` finds it; a service's ports are translated to its target
ports, a pod's named ports to numbers, with kubectl's texts. kctl.tools.portforward does the
forwarding; Ctrl-C stops it cleanly (exit 0, as kubectl).
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import click

from kctl.cli._delete_flags import GoDuration
from kctl.cli._errors import usage_errorf
from kctl.cli._globals import Factory, kubectl_command
from kctl.errors import KctlError

__all__ = ["command"]

DEFAULT_POD_TIMEOUT = 60.0


def _split_port(port: str) -> tuple[str, str]:
    parts = port.split(":")
    if len(parts) == 2:
        return parts[0], parts[1]
    return parts[0], parts[0]


def _atoi(text: str) -> int | None:
    # strconv.Atoi: an optional sign, then decimal digits.
    body = text[1:] if text[:1] in "+-" else text
    return int(text) if body.isdigit() and body.isascii() else None


def _container_port_by_name(pod: dict[str, Any], name: str) -> int:
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == name:
                return int(port.get("containerPort") or 0)
    pod_name = (pod.get("metadata") or {}).get("name", "")
    raise KctlError(f"Pod '{pod_name}' does not have a named port '{name}'")


def _service_port_by_name(svc: dict[str, Any], name: str) -> int:
    for port in (svc.get("spec") or {}).get("ports") or []:
        if port.get("name") == name:
            return int(port.get("port") or 0)
    svc_name = (svc.get("metadata") or {}).get("name", "")
    raise KctlError(f"Service '{svc_name}' does not have a named port '{name}'")


def _target_port(svc: dict[str, Any], pod: dict[str, Any], port: int) -> int:
    """LookupContainerPortNumberByServicePort."""
    spec = svc.get("spec") or {}
    for svc_port in spec.get("ports") or []:
        if int(svc_port.get("port") or 0) != port:
            continue
        if spec.get("clusterIP") == "None":
            return port
        target = svc_port.get("targetPort")
        if target is None or isinstance(target, int):
            return int(target or 0) or port
        return _container_port_by_name(pod, str(target))
    raise KctlError(
        f"Service {(svc.get('metadata') or {}).get('name', '')} does not have a service port {port}"
    )


def _udp_only(ports: list[dict[str, Any]]) -> set[int]:
    udp = {
        int(p.get("containerPort") or p.get("port") or 0)
        for p in ports
        if p.get("protocol") == "UDP"
    }
    tcp = {
        int(p.get("containerPort") or p.get("port") or 0)
        for p in ports
        if p.get("protocol", "TCP") == "TCP"
    }
    return udp - tcp


def _check_udp(specs: list[str], obj: dict[str, Any], pod: dict[str, Any], service: bool) -> None:
    if service:
        declared = list((obj.get("spec") or {}).get("ports") or [])
    else:
        declared = [
            p for c in (pod.get("spec") or {}).get("containers") or [] for p in c.get("ports") or []
        ]
    udp = _udp_only(declared)
    for spec in specs:
        _, remote = _split_port(spec)
        number = _atoi(remote)
        if number is None:
            number = (
                _service_port_by_name(obj, remote)
                if service
                else _container_port_by_name(pod, remote)
            )
        if number in udp:
            raise KctlError(f"UDP protocol is not supported for {remote}")


def _translate(
    specs: list[str], obj: dict[str, Any], pod: dict[str, Any], service: bool
) -> list[str]:
    out: list[str] = []
    for spec in specs:
        local, remote = _split_port(spec)
        if service:
            number = _atoi(remote)
            if number is None:
                number = _service_port_by_name(obj, remote)
                if local == remote:
                    local = str(number)
            target = str(_target_port(obj, pod, number))
        else:
            if remote == "":
                raise KctlError("remote port cannot be empty")
            target = remote
            if _atoi(remote) is None:
                target = str(_container_port_by_name(pod, remote))
        out.append(f"{local}:{target}" if local != remote else target)
    return out


def _addresses(values: tuple[str, ...]) -> list[str]:
    # pflag's StringSlice: each value is a CSV line.
    import csv

    out: list[str] = []
    for value in values:
        out.extend(next(csv.reader([value])) if value else [""])
    return out


def _complete_args(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    # The first argument is a pod, as for exec; ports are the user's to say.
    from kctl.cli.exec import _complete_args as complete_pod

    return complete_pod(ctx, param, incomplete)


@kubectl_command("port-forward", short_help="Forward one or more local ports to a pod")
@click.argument("args", nargs=-1, shell_complete=_complete_args)
@click.option(
    "--address",
    multiple=True,
    default=("localhost",),
    help="Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a "
    "value. When localhost is supplied, kctl will try to bind on both 127.0.0.1 and ::1 and will "
    "fail if neither of these addresses are available to bind.",
)
@click.option(
    "--pod-running-timeout",
    default=DEFAULT_POD_TIMEOUT,
    type=GoDuration(),
    help="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one "
    "pod is running",
)
@click.pass_context
def command(
    ctx: click.Context,
    factory: Factory,
    args: tuple[str, ...],
    address: tuple[str, ...],
    pod_running_timeout: float,
) -> None:
    """Forward one or more local ports to a pod.

    Use resource type/name such as deployment/mydeployment to select a pod. Resource type
    defaults to 'pod' if omitted.

    If there are multiple pods matching the criteria, a pod will be selected automatically.
    The forwarding session ends when the selected pod terminates, and a rerun of the command
    is needed to resume forwarding.
    """
    from kctl.cli.exec import resolve

    path = ctx.command_path
    if len(args) < 2:
        raise usage_errorf(path, "TYPE/NAME and list of ports are required for port-forward")
    if pod_running_timeout <= 0:
        raise usage_errorf(path, "--pod-running-timeout must be higher than zero")
    obj, pod = resolve(factory, args[0], pod_running_timeout)
    service = obj.get("kind") == "Service" and "/" not in str(obj.get("apiVersion", "v1"))
    specs = list(args[1:])
    _check_udp(specs, obj, pod, service)
    ports = _translate(specs, obj, pod, service)
    from kctl.kubernetes import new_for_config

    meta = pod.get("metadata") or {}
    namespace = str(meta.get("namespace") or factory.namespace()[0])
    pods = new_for_config(factory.rest_config()).core_v1().pods(namespace)
    current: dict[str, Any] = dict(pods.get(str(meta.get("name", ""))))
    phase = str((current.get("status") or {}).get("phase") or "")
    if phase != "Running":
        raise KctlError(
            f"unable to forward port because pod is not running. Current status={phase}"
        )
    from kctl.tools.portforward import PortForwarder

    url = pods.portforward_request(str(meta.get("name", ""))).url()
    forwarder = PortForwarder(
        factory.rest_config(),
        url,
        ports,
        addresses=_addresses(address),
        out=sys.stdout,
        err_out=sys.stderr,
    )
    # kubectl stops on an interrupt and exits 0.
    signal.signal(signal.SIGINT, lambda *_: forwarder.close())
    signal.signal(signal.SIGTERM, lambda *_: forwarder.close())
    forwarder.forward_ports()
    forwarder.close()
