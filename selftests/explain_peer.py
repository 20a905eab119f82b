#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The ends of the explain scenarios.  Hand-offs go through files, so the
shell side waits on events rather than sleeping.

  explain_peer.py listen ADDR PORT --ready FILE --mode MODE [--backlog N]
      Listens with backlog N (default 128); writes the port to FILE.
      MODE none:  never accept() (the accept queue fills up)
           drain: accept each, read until EOF, close (the client closes
                  first, so the client holds TIME_WAIT)
           abort: accept each, read one message, then close with
                  SO_LINGER {on, 0}: an abortive close, RST sent
      Runs until killed.
  explain_peer.py connect ADDR PORT --out FILE [--go F] [--send N]
                  [--hold F] [--recv] [--timeout S] [--count N]
      Connects; writes "LPORT ERRNO CONNECT_NS" to FILE ("-" for what
      there is not: no error, no port).  Then waits for file --go, sends N
      bytes, waits for file --hold, waits for EOF or an error from the
      peer (--recv), and closes.  A failed connect() is a result, not an
      error.  --count N: N connections one after the other, each closed at
      once, a line each.
"""

import argparse
import errno
import socket
import struct
import time

from peerlib import family, write_atomic, wait_file


def listen(a):
    s = socket.socket(family(a.addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.addr, a.port))
    s.listen(a.backlog)
    write_atomic(a.ready, str(s.getsockname()[1]))
    if a.mode == "none":
        while True:
            time.sleep(3600)
    while True:
        c, _ = s.accept()
        c.settimeout(120)
        try:
            if a.mode == "abort":
                c.recv(4096)
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            else:
                while c.recv(4096):
                    pass
        except OSError:
            pass
        c.close()


def connect_one(a):
    c = socket.socket(family(a.addr), socket.SOCK_STREAM)
    c.settimeout(a.timeout)
    lport = err = took = "-"
    t0 = time.monotonic_ns()
    try:
        c.connect((a.addr, a.port))
        took = time.monotonic_ns() - t0
        lport = c.getsockname()[1]
    except OSError as e:
        # socket.timeout is TimeoutError: errno None for our own timeout,
        # ETIMEDOUT when the kernel gave up on the SYNs
        err = ("timeout" if e.errno is None else
               errno.errorcode.get(e.errno, str(e.errno)))
    return c, f"{lport} {err} {took}\n", err != "-"


def connect(a):
    lines = ""
    for _ in range(a.count):
        c, line, failed = connect_one(a)
        lines += line
        if a.count > 1:
            c.close()
    write_atomic(a.out, lines)
    if failed or a.count > 1:
        c.close()
        return
    try:
        if a.go:
            wait_file(a.go, 120)
        if a.send:
            c.sendall(b"x" * a.send)
        if a.hold:
            wait_file(a.hold, 120)
        if a.recv:
            while c.recv(4096):
                pass
    except OSError:
        pass
    c.close()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("listen")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.add_argument("--ready", required=True)
    s.add_argument("--mode", choices=["none", "drain", "abort"],
                   required=True)
    s.add_argument("--backlog", type=int, default=128)
    c = sub.add_parser("connect")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("--out", required=True)
    c.add_argument("--send", type=int, default=0)
    c.add_argument("--go")
    c.add_argument("--hold")
    c.add_argument("--recv", action="store_true")
    c.add_argument("--timeout", type=float, default=60)
    c.add_argument("--count", type=int, default=1)
    a = p.parse_args()
    {"listen": listen, "connect": connect}[a.cmd](a)


if __name__ == "__main__":
    main()
