"""client-go's ``tools``: streams into containers (``remotecommand`` for exec and attach,
``portforward``). Each subpackage loads on import; websocket-client loads only when a stream
opens."""
