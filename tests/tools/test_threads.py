"""kctl.tools' helper threads block every signal, so that Ctrl-C, SIGTERM and SIGWINCH reach
the main thread (where Python runs handlers) even while it sleeps in a wait or a read."""

from __future__ import annotations

import signal

import pytest

from kctl.tools._threads import spawn


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX only")
def test_helper_threads_block_process_signals() -> None:
    masks: list[set[signal.Signals]] = []
    thread = spawn(lambda: masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, [])), name="t")
    thread.join(10)
    assert {signal.SIGINT, signal.SIGTERM, signal.SIGWINCH} <= masks[0]
    # The caller's own mask is untouched.
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
