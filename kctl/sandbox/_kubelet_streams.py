"""pods/exec, attach and portforward with the process runtime: checks, then the upgrade.

The apiserver's own checks (container name, host assigned, ``create`` permission) run before
this, in ``ApiServer._kubelet_stream``. Here: a WebSocket upgrade with a channel subprotocol
is required (kube-apiserver answers a plain request with "Upgrade request required"), and the
session itself runs on the connection's thread once the HTTP side has accepted it. Errors
the kubelet would report after the upgrade (a container that is not running) arrive, as
through the apiserver's stream translator, as an InternalError Status on the error channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kctl.sandbox import _status as st

if TYPE_CHECKING:
    from kctl.sandbox._api import Request, Response
    from kctl.sandbox._runtime import ProcessRuntime

__all__ = ["serve_stream"]

_PORTFORWARD_PROTOCOLS = ("v4.channel.k8s.io",)
_CHANNEL_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")


def _flag(req: Request, name: str) -> bool:
    return (req.param(name) or "").lower() in ("true", "1")


def _ports(req: Request) -> list[int]:
    ports = []
    values = req.query.get("ports") or req.query.get("port") or []
    if not values:
        raise st.bad_request('query parameter "port" is required')
    for value in values:
        if not value:
            raise st.bad_request('query parameter "port" cannot be empty')
        for part in value.split(","):
            if not part.isdigit() or int(part) > 65535:
                raise st.bad_request(f'unable to parse "{value}" as a port')
            if int(part) < 1:
                raise st.bad_request(f'port "{value}" must be > 0')
            ports.append(int(part))
    return ports


def serve_stream(
    runtime: ProcessRuntime, req: Request, pod: dict[str, Any], subresource: str, container: str
) -> Response:
    from kctl.sandbox._api import Response
    from kctl.sandbox._websocket import choose_protocol, is_websocket

    if not is_websocket(req.headers):
        raise st.bad_request("Upgrade request required")
    supported = _PORTFORWARD_PROTOCOLS if subresource == "portforward" else _CHANNEL_PROTOCOLS
    protocol = choose_protocol(req.headers, supported)
    if (
        protocol is None
        and subresource == "portforward"
        and not req.headers.get("sec-websocket-protocol")
    ):
        # wsstream takes no subprotocol as "" and the kubelet's port-forward serves "" as the
        # binary channel protocol, which frames ports as v4 does (kr8s asks for none).
        protocol = ""
    if protocol is None:
        offered = [p.strip() for p in req.headers.get("sec-websocket-protocol", "").split(",")]
        text = (
            f"requested protocol(s) are not supported: [{' '.join(offered)}]; "
            f"supports [{' '.join(supported)}]"
        )
        return Response(400, text.encode(), "text/plain; charset=utf-8")
    meta = pod["metadata"]
    uid = str(meta.get("uid", ""))
    if subresource == "portforward":
        ports = _ports(req)
        ip = runtime.ip(uid) or ""
        full_name = f"{meta.get('name')}_{meta.get('namespace')}"

        def forward(ws: Any) -> None:
            from kctl.sandbox._streams import portforward_session

            portforward_session(ws, ip, ports, full_name, uid)

        return Response(101, upgrade=forward, subprotocol=protocol)
    stdin, stdout, stderr, tty = (_flag(req, n) for n in ("stdin", "stdout", "stderr", "tty"))
    if not (stdin or stdout or stderr):
        raise st.bad_request("you must specify at least 1 of stdin, stdout, stderr")
    argv = list(req.query.get("command") or [])
    if subresource == "exec" and not argv:
        raise st.bad_request("you must specify at least one command for the container")
    if tty:
        stderr = False  # a terminal merges the two, as the kubelet does
    inst = runtime.instance(uid, container)
    running = inst is not None and inst.running
    workdir = runtime.workdir(uid) or ""
    env = runtime.env(uid, container) or {}

    def session(ws: Any) -> None:
        from kctl.sandbox import _streams

        if not running or inst is None:
            ws.send(
                _streams.ERROR,
                _streams.status_json(
                    None,
                    message=f'unable to upgrade connection: container not found ("{container}")',
                ),
            )
            ws.close()
            _streams.drain(ws)
            return
        if subresource == "exec":
            _streams.exec_session(
                ws,
                argv,
                cwd=workdir,
                env=env,
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                tty=tty,
                reaper=runtime.reaper,
            )
            return
        _, start = runtime.lines_so_far(inst)
        _streams.attach_session(
            ws,
            lambda gone: runtime.follow(inst, start, gone),
            runtime.attach_stdin(uid, container) if stdin else None,
            lambda: inst.exit_code,
            stdout=stdout,
            stderr=stderr,
        )

    return Response(101, upgrade=session, subprotocol=protocol)
