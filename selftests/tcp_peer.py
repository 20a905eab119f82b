#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Both ends of the selftests' TCP connections, with explicit hand-offs
through files so the shell side can wait on events instead of sleeping.

  tcp_peer.py server ADDR PORT --ready FILE [--count N]
      Listens; writes FILE once listening.  Each accepted connection is
      held until the peer closes it, then closed (the peer is the active
      closer, so it is the one that enters TIME_WAIT).  N=0: forever.
  tcp_peer.py client ADDR PORT --info FILE [--hold FILE] [--data]
      Connects; writes "LPORT CONNECT_NS START_NS" to FILE (how long
      connect() took, and the wall clock just before it, the clock a
      packet capture's timestamps use); with --hold, keeps the
      connection open until that file exists; then closes.
  tcp_peer.py loop ADDR PORT --seconds S [--stop FILE] [--progress FILE]
      Opens and closes connections back to back for S seconds, or until
      FILE (--stop) exists, at most S; prints how many succeeded and how
      many failed, and keeps both in --progress's file as it goes.  Errors
      (e.g. refused while a listener restarts) are counted, not fatal.
"""

import argparse
import os
import socket
import time

from peerlib import family, write_atomic, wait_file


def server(a):
    s = socket.socket(family(a.addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.addr, a.port))
    s.listen(128)
    write_atomic(a.ready, str(s.getsockname()[1]))
    n = 0
    while a.count == 0 or n < a.count:
        c, _ = s.accept()
        n += 1
        c.settimeout(60)
        try:
            while c.recv(4096):
                pass
        except OSError:
            pass
        c.close()
    s.close()


def client(a):
    c = socket.socket(family(a.addr), socket.SOCK_STREAM)
    c.settimeout(30)
    start = time.time_ns()
    t0 = time.monotonic_ns()
    c.connect((a.addr, a.port))
    took = time.monotonic_ns() - t0
    if a.data:
        c.sendall(b"tcptrail selftest\n")
    write_atomic(a.info, f"{c.getsockname()[1]} {took} {start}\n")
    if a.hold:
        wait_file(a.hold, 120)
    c.close()


def loop(a):
    ok = err = 0
    deadline = time.monotonic() + a.seconds
    while time.monotonic() < deadline:
        if a.stop and os.path.exists(a.stop):
            break
        try:
            c = socket.create_connection((a.addr, a.port), timeout=5)
            c.close()
            ok += 1
        except OSError:
            err += 1
        if a.progress:
            write_atomic(a.progress, f"{ok} {err}\n")
    print(f"{ok} {err}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.add_argument("--ready", required=True)
    s.add_argument("--count", type=int, default=1)
    c = sub.add_parser("client")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("--info", required=True)
    c.add_argument("--hold")
    c.add_argument("--data", action="store_true")
    lp = sub.add_parser("loop")
    lp.add_argument("addr")
    lp.add_argument("port", type=int)
    lp.add_argument("--seconds", type=float, required=True)
    lp.add_argument("--stop")
    lp.add_argument("--progress")
    a = p.parse_args()
    {"server": server, "client": client, "loop": loop}[a.cmd](a)


if __name__ == "__main__":
    main()
