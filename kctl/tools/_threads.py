"""Helper threads that never take a process signal.

Linux hands a process-directed signal (SIGINT from Ctrl-C, SIGTERM, SIGWINCH) to any thread
that does not block it. Python runs its handlers only in the main thread, and a helper thread
that receives one just retries its blocking call, so the main thread, asleep in a wait or a
read, would never hear of it. Every thread kctl.tools starts blocks them all first.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["spawn"]


def spawn(target: Callable[..., Any], *args: Any, name: str) -> threading.Thread:
    """Start ``target(*args)`` on a daemon thread with every signal blocked."""

    def run() -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        target(*args)

    thread = threading.Thread(target=run, daemon=True, name=name)
    thread.start()
    return thread
