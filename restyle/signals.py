"""Termination signals (SIGTERM, SIGHUP) stop a command the way Ctrl-C does.

The command line installs :func:`stop_on_signals` around a command. The first SIGTERM or
SIGHUP raises :class:`Terminated` in the main thread, which unwinds like
``KeyboardInterrupt``: every stage stops and every temporary output is removed on the way
out. Repeats of the signal while that clean-up runs are ignored, so it always finishes. The
exit status is the shell's for a process ended by that signal, ``128 + number``: 143 for
SIGTERM, 129 for SIGHUP (and 130 for Ctrl-C).

Library code never installs handlers; only the command line does.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(BaseException):  # noqa: N818 - named like KeyboardInterrupt, its sibling
    """The process was asked to stop by a signal; unwinds like ``KeyboardInterrupt``."""

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")

    @property
    def exit_code(self) -> int:
        """The shell's exit status for a process ended by this signal: 128 + its number."""
        return 128 + self.signum


class Received:
    """Which stop signal arrived (``signum``, None while none has), and its exit status."""

    def __init__(self) -> None:
        self.signum: int | None = None

    @property
    def exit_code(self) -> int:
        """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + (self.signum or 0)

    @property
    def message(self) -> str:
        """The one line the command prints when it stops for this signal."""
        if self.signum == signal.SIGINT:
            return "interrupted"
        return f"stopped by {signal.Signals(self.signum or 0).name}"


@contextmanager
def stop_on_signals() -> Iterator[Received]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated`, Ctrl-C KeyboardInterrupt.

    Only the first stop signal raises; its repeats and the others are then ignored, so the
    clean-up it starts runs to its end. The yielded :class:`Received` says which signal came:
    an exception that code written in C made of it (a signal landing inside an import turns
    into an ImportError) is still known to be that signal. Outside the main thread (where
    Python cannot install handlers) the block runs unchanged. The previous handlers are
    restored when the block ends.
    """
    received = Received()
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, _frame: object) -> None:
        if received.signum is not None:  # already unwinding: let the clean-up finish
            return
        received.signum = signum
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, *SIGNALS)}
    try:
        yield received
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
