"""Readers that misbehave, for the sandbox's tests: run in a forked child, so this module
imports nothing heavy (the child imports it to find them)."""

from __future__ import annotations

import os
import signal


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def abort() -> None:
    os.kill(os.getpid(), signal.SIGABRT)


def spin() -> None:
    while True:
        pass


def block() -> None:
    signal.pause()  # uses no CPU: only the wall-clock bound ends it
