#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Both ends of the timeline selftests' connections.  Every hand-off to
the shell goes through files (written atomically), so the shell waits on
events instead of sleeping.  Info files are shell-readable KEY=VALUE lines.

  timeline_peer.py listen ADDR PORT --ready FILE [--count N] [--fastopen]
                   [--close-on FILE] [--abort-on FILE] [--info FILE]
      Listens (PORT 0: any) and writes the port to FILE.  Each accepted
      connection is drained in its own thread until the peer closes it,
      then closed, after --close-on exists when given (so the connection
      waits in CLOSE_WAIT meanwhile).  With --abort-on it is aborted
      (SO_LINGER 0: RST) as soon as that file exists.  N=0: forever.
      --info: one line per connection, "rport bytes".  --got FILE: written
      when the first data arrives.

  timeline_peer.py connect ADDR PORT --info FILE [options]
      --comm NAME         the process name (prctl) before connecting
      --bind-port P       bind the local port first (SO_REUSEADDR)
      --syncnt N          TCP_SYNCNT: this socket's SYN retries
      --retry-busy S      retry EADDRNOTAVAIL (a TIME_WAIT holding the
                          tuple) for up to S seconds, 20 ms apart
      --nonblock-close F  non-blocking connect, then close() once F exists
      --fastopen          sendto(MSG_FASTOPEN) with --send bytes (or 1)
      --send N            bytes sent once connected
      --hold F            keep the connection until F exists
      --then-port P       when connect() fails, connect the same socket
                          to ADDR P (info: errno2, lport2)
      --linger0           close with SO_LINGER {1, 0}: an RST, no FIN
      --wait-eof          after sending, half-close and wait for the
                          peer's FIN before closing (passive close)
      Writes lport, pid, errno (0 when connected), connect_ns (the
      duration of connect() or of the first sendto()) and attempts.

  timeline_peer.py many ADDR PORT --count N --info FILE [--hold F]
      N connections one after the other.  Without --hold each is aborted
      (SO_LINGER 0: RST, no TIME_WAIT) as soon as it is connected; with
      --hold all stay open until F exists, then all are aborted.  Writes
      ok=, failed= and lports= (comma-separated).
"""

import argparse
import ctypes
import errno
import os
import socket
import struct
import threading
import time

from peerlib import family, write_atomic, wait_file

MSG_FASTOPEN = getattr(socket, "MSG_FASTOPEN", 0x20000000)
TCP_FASTOPEN = getattr(socket, "TCP_FASTOPEN", 23)
TCP_SYNCNT = getattr(socket, "TCP_SYNCNT", 7)
PR_SET_NAME = 15


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def got(a):
    if a.got and not os.path.exists(a.got):
        write_atomic(a.got, "1\n")


def serve_one(c, rport, a, lock):
    total = 0
    try:
        if a.abort_on:
            c.settimeout(0.005)
            while not os.path.exists(a.abort_on):
                try:
                    d = c.recv(65536)
                    if not d:
                        break
                    total += len(d)
                    got(a)
                except socket.timeout:
                    pass
            linger0(c)
        else:
            c.settimeout(120)
            while True:
                d = c.recv(65536)
                if not d:
                    break
                total += len(d)
                got(a)
            if a.close_on:
                wait_file(a.close_on)
    except OSError:
        pass
    c.close()
    if a.info:
        with lock:
            with open(a.info, "a") as f:
                f.write(f"{rport} {total}\n")


def listen(a):
    s = socket.socket(family(a.addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.fastopen:
        s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 16)
    s.bind((a.addr, a.port))
    s.listen(128)
    write_atomic(a.ready, str(s.getsockname()[1]))
    lock = threading.Lock()
    threads = []
    n = 0
    while a.count == 0 or n < a.count:
        c, peer = s.accept()
        n += 1
        t = threading.Thread(target=serve_one, args=(c, peer[1], a, lock))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    s.close()


def new_socket(a):
    s = socket.socket(family(a.addr), socket.SOCK_STREAM)
    if a.bind_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Port 0 is bound here rather than picked by connect(): connect() keeps
    # a port unique per destination only, and the tests name a client by
    # its port across several servers.
    s.bind(("::" if ":" in a.addr else "0.0.0.0", a.bind_port))
    if a.syncnt:
        s.setsockopt(socket.IPPROTO_TCP, TCP_SYNCNT, a.syncnt)
    return s


def connect(a):
    if a.comm:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NAME, a.comm.encode(), 0, 0, 0)
    dst = (a.addr, a.port)
    payload = b"x" * (a.send or (1 if a.fastopen else 0))
    info = {"pid": os.getpid(), "errno": 0, "attempts": 0, "connect_ns": 0}
    deadline = time.monotonic() + a.retry_busy
    while True:
        info["attempts"] += 1
        s = new_socket(a)
        t0 = time.monotonic_ns()
        try:
            if a.nonblock_close:
                s.setblocking(False)
                err = s.connect_ex(dst)
                if err != errno.EINPROGRESS:
                    raise OSError(err, os.strerror(err))
            elif a.fastopen:
                # blocking: with a timeout Python makes the socket
                # non-blocking, and a cookie request returns EINPROGRESS
                s.settimeout(None)
                s.sendto(payload, MSG_FASTOPEN, dst)
                payload = b""
            else:
                # blocking for --then-port: a connect() that failed while
                # non-blocking leaves the socket "connecting", and the
                # next connect() fails ECONNABORTED
                s.settimeout(None if a.then_port else 30)
                s.connect(dst)
            info["connect_ns"] = time.monotonic_ns() - t0
            break
        except OSError as e:
            info["connect_ns"] = time.monotonic_ns() - t0
            info["errno"] = e.errno or 0
            busy = e.errno == errno.EADDRNOTAVAIL
            if busy and time.monotonic() < deadline:
                s.close()
                time.sleep(0.02)
                continue
            break
    info["lport"] = s.getsockname()[1] if info["errno"] == 0 else 0
    if info["errno"] and a.then_port:
        info["errno2"] = 0
        try:
            s.connect((a.addr, a.then_port))
            info["lport2"] = s.getsockname()[1]
        except OSError as e:
            info["errno2"] = e.errno or 0
        if info["errno2"] == 0:
            write_atomic(a.info, "".join(f"{k}={v}\n" for k, v in info.items()))
            if a.hold:
                wait_file(a.hold)
            s.close()
            return
    if info["errno"]:
        # getsockname() still knows the port a failed connect used
        try:
            info["lport"] = s.getsockname()[1]
        except OSError:
            pass
        s.close()
        write_atomic(a.info, "".join(f"{k}={v}\n" for k, v in info.items()))
        return
    if a.nonblock_close:
        write_atomic(a.info, "".join(f"{k}={v}\n" for k, v in info.items()))
        wait_file(a.nonblock_close)
        s.close()
        return
    if payload:
        s.sendall(payload)
    write_atomic(a.info, "".join(f"{k}={v}\n" for k, v in info.items()))
    if a.hold:
        wait_file(a.hold)
    if a.wait_eof:
        s.shutdown(socket.SHUT_WR)
        s.settimeout(120)
        while s.recv(65536):
            pass
    if a.linger0:
        linger0(s)
    s.close()


def many(a):
    ok = failed = 0
    held, ports = [], []
    for _ in range(a.count):
        s = socket.socket(family(a.addr), socket.SOCK_STREAM)
        s.settimeout(30)
        try:
            s.connect((a.addr, a.port))
        except OSError:
            failed += 1
            s.close()
            continue
        ok += 1
        ports.append(str(s.getsockname()[1]))
        linger0(s)
        if a.hold:
            held.append(s)
        else:
            s.close()
    write_atomic(a.info, f"ok={ok}\nfailed={failed}\nlports={','.join(ports)}\n")
    if a.hold:
        wait_file(a.hold)
        for s in held:
            s.close()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    ls = sub.add_parser("listen")
    ls.add_argument("addr")
    ls.add_argument("port", type=int)
    ls.add_argument("--ready", required=True)
    ls.add_argument("--count", type=int, default=1)
    ls.add_argument("--fastopen", action="store_true")
    ls.add_argument("--close-on")
    ls.add_argument("--abort-on")
    ls.add_argument("--info")
    ls.add_argument("--got")
    c = sub.add_parser("connect")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("--info", required=True)
    c.add_argument("--comm")
    c.add_argument("--bind-port", type=int, default=0)
    c.add_argument("--syncnt", type=int, default=0)
    c.add_argument("--retry-busy", type=float, default=0)
    c.add_argument("--nonblock-close")
    c.add_argument("--fastopen", action="store_true")
    c.add_argument("--send", type=int, default=0)
    c.add_argument("--hold")
    c.add_argument("--then-port", type=int, default=0)
    c.add_argument("--linger0", action="store_true")
    c.add_argument("--wait-eof", action="store_true")
    m = sub.add_parser("many")
    m.add_argument("addr")
    m.add_argument("port", type=int)
    m.add_argument("--count", type=int, required=True)
    m.add_argument("--info", required=True)
    m.add_argument("--hold")
    a = p.parse_args()
    {"listen": listen, "connect": connect, "many": many}[a.cmd](a)


if __name__ == "__main__":
    main()
