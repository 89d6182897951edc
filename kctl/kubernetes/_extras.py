"""Resource interfaces with verbs beyond the common ones: logs, eviction, scale, finalize."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kctl.dynamic._resource import ResourceClient
from kctl.metav1 import DeleteOptions, UpdateOptions

if TYPE_CHECKING:
    # The kinds are named in strings in the base classes below (kctl.types costs ~50 ms to
    # import, so it is never imported at run time); ruff does not see those uses.
    from kctl.rest import Request
    from kctl.tools.remotecommand import TerminalSizeQueue
    from kctl.types.core_v1 import (  # noqa: F401
        Namespace,
        NamespaceList,
        Pod,
        PodList,
        TokenRequest,
    )
    from kctl.types.other_v1 import (  # noqa: F401
        CertificateSigningRequest,
        CertificateSigningRequestList,
        Eviction,
        Scale,
    )

__all__ = [
    "CertificateSigningRequestClient",
    "NamespaceClient",
    "PodClient",
    "ScalableClient",
    "ServiceAccountClient",
]

T = TypeVar("T")
L = TypeVar("L")


class PodClient(ResourceClient["Pod", "PodList"]):
    def get_logs(
        self,
        name: str,
        *,
        container: str = "",
        follow: bool = False,
        previous: bool = False,
        since_seconds: int | None = None,
        since_time: str = "",
        timestamps: bool = False,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
        insecure_skip_tls_verify_backend: bool = False,
        stream: str = "",
    ) -> Request:
        """The pods/log request, as client-go's GetLogs: call ``.stream()`` to read it as it
        comes (with ``follow=True`` it lasts as long as the container), ``.do_raw()`` for
        all of it at once."""
        req = self._request("GET", name, ("log",), named=True)
        if container:
            req.param("container", container)
        if follow:
            req.param("follow", "true")
        if previous:
            req.param("previous", "true")
        if since_seconds is not None:
            req.param("sinceSeconds", str(since_seconds))
        if since_time:
            req.param("sinceTime", since_time)
        if timestamps:
            req.param("timestamps", "true")
        if tail_lines is not None:
            req.param("tailLines", str(tail_lines))
        if limit_bytes is not None:
            req.param("limitBytes", str(limit_bytes))
        if insecure_skip_tls_verify_backend:
            req.param("insecureSkipTLSVerifyBackend", "true")
        if stream:
            req.param("stream", stream)
        return req

    def exec_request(
        self,
        name: str,
        command: Sequence[str],
        *,
        container: str = "",
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        tty: bool = False,
    ) -> Request:
        """The pods/exec request with corev1.PodExecOptions as parameters; its ``url()`` is
        what a remotecommand executor upgrades."""
        req = self._request("POST", name, ("exec",), named=True)
        return req.params(
            {
                "container": container or None,
                "command": list(command),
                "stdin": stdin or None,
                "stdout": stdout or None,
                "stderr": stderr or None,
                "tty": tty or None,
            }
        )

    def attach_request(
        self,
        name: str,
        *,
        container: str = "",
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        tty: bool = False,
    ) -> Request:
        """The pods/attach request with corev1.PodAttachOptions as parameters."""
        req = self._request("POST", name, ("attach",), named=True)
        return req.params(
            {
                "container": container or None,
                "stdin": stdin or None,
                "stdout": stdout or None,
                "stderr": stderr or None,
                "tty": tty or None,
            }
        )

    def portforward_request(self, name: str) -> Request:
        """The pods/portforward request; kctl.tools.portforward adds ``ports`` itself."""
        return self._request("POST", name, ("portforward",), named=True)

    def exec(
        self,
        name: str,
        command: Sequence[str],
        *,
        container: str = "",
        stdin: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        tty: bool = False,
        terminal_size_queue: TerminalSizeQueue | None = None,
    ) -> None:
        """Run ``command`` in the pod's container over WebSocket (kctl.tools.remotecommand):
        ``stdin`` is read and sent, output is written to the binary ``stdout``/``stderr``.
        A non-zero exit raises kctl.errors.CodeExitError carrying the code."""
        from kctl.tools.remotecommand import new_websocket_executor

        req = self.exec_request(
            name,
            command,
            container=container,
            stdin=stdin is not None,
            stdout=stdout is not None,
            stderr=stderr is not None and not tty,
            tty=tty,
        )
        executor = new_websocket_executor(self._client.config, req.url())
        executor.stream(
            stdin=stdin,
            stdout=stdout,
            stderr=None if tty else stderr,
            tty=tty,
            terminal_size_queue=terminal_size_queue,
        )

    def evict(
        self, eviction: str | Eviction, delete_options: DeleteOptions | None = None
    ) -> dict[str, Any]:
        """POST pods/<name>/eviction with a policy/v1 Eviction (client-go's EvictV1).

        Pass the pod name (and optionally DeleteOptions) or a whole Eviction object.
        """
        if isinstance(eviction, str):
            body: dict[str, Any] = {
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": eviction, "namespace": self._namespace},
            }
            if delete_options is not None:
                body["deleteOptions"] = delete_options.to_body()
            name = eviction
        else:
            body = dict(eviction)
            name = str(body.get("metadata", {}).get("name") or "")
        req = self._request("POST", name, ("eviction",), named=True).body(body)
        return cast("dict[str, Any]", req.do().json())


class ScalableClient(ResourceClient[T, L]):
    """Deployments, ReplicaSets, StatefulSets, ReplicationControllers: the scale subresource."""

    def get_scale(self, name: str) -> Scale:
        return cast("Scale", self._request("GET", name, ("scale",), named=True).do().json())

    def update_scale(self, name: str, scale: Scale, opts: UpdateOptions | None = None) -> Scale:
        req = self._request("PUT", name, ("scale",), named=True).params(opts)
        return cast("Scale", req.body(cast("dict[str, Any]", scale)).do().json())


class NamespaceClient(ResourceClient["Namespace", "NamespaceList"]):
    def finalize(self, namespace: Namespace, opts: UpdateOptions | None = None) -> Namespace:
        """PUT namespaces/<name>/finalize: replaces spec.finalizers."""
        name = str(namespace.get("metadata", {}).get("name") or "")
        req = self._request("PUT", name, ("finalize",), named=True).params(opts)
        return cast("Namespace", req.body(cast("dict[str, Any]", namespace)).do().json())


class ServiceAccountClient(ResourceClient[T, L]):
    def create_token(self, name: str, token_request: TokenRequest) -> TokenRequest:
        """POST serviceaccounts/<name>/token: a bound token (the TokenRequest API)."""
        req = self._request("POST", name, ("token",), named=True)
        return cast("TokenRequest", req.body(cast("dict[str, Any]", token_request)).do().json())


class CertificateSigningRequestClient(
    ResourceClient["CertificateSigningRequest", "CertificateSigningRequestList"]
):
    def update_approval(
        self, csr: CertificateSigningRequest, opts: UpdateOptions | None = None
    ) -> CertificateSigningRequest:
        """PUT certificatesigningrequests/<name>/approval: approve or deny."""
        name = str(csr.get("metadata", {}).get("name") or "")
        req = self._request("PUT", name, ("approval",), named=True).params(opts)
        return cast("CertificateSigningRequest", req.body(cast("dict[str, Any]", csr)).do().json())
