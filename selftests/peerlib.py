# SPDX-License-Identifier: GPL-2.0
"""What every selftest peer (tcp_peer, timeline_peer, explain_peer,
cli_load) needs to hand off to the shell: files written whole, so a
reader polling for them never sees half of one, and waits on files the
shell creates, so neither side sleeps for a guessed time."""

import os
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def wait_file(path, timeout=120):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {path}")
        time.sleep(0.005)
