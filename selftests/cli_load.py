#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Short TCP connections for the CLI selftests, ended by RST so that they
finish at once instead of waiting 60 s in TIME_WAIT.

  cli_load.py server ADDR PORT --ready FILE
      Accepts and drains connections until killed; writes the bound port
      to FILE once listening.
  cli_load.py client ADDR PORT --count N --ports FILE [--linger]
      Opens N connections one after the other and aborts each (SO_LINGER
      0: RST, no TIME_WAIT), unless --linger (a normal close: the client
      keeps a TIME_WAIT entry).  Writes the local ports, one a line.
"""

import argparse
import os
import select
import socket
import struct
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def server(a):
    s = socket.socket(family(a.addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.addr, a.port))
    s.listen(1024)
    write_atomic(a.ready, str(s.getsockname()[1]))
    conns = []
    while True:
        r, _, _ = select.select([s] + conns, [], [])
        for c in r:
            if c is s:
                n, _ = s.accept()
                conns.append(n)
                continue
            try:
                data = c.recv(4096)
            except OSError:
                data = b""
            if not data:
                conns.remove(c)
                c.close()


def client(a):
    ports = []
    for _ in range(a.count):
        c = socket.socket(family(a.addr), socket.SOCK_STREAM)
        c.connect((a.addr, a.port))
        ports.append(c.getsockname()[1])
        c.sendall(b"x")
        if not a.linger:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        c.close()
    write_atomic(a.ports, "".join(f"{p}\n" for p in ports))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("--ready")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--ports")
    p.add_argument("--linger", action="store_true")
    a = p.parse_args()
    if a.mode == "server":
        if not a.ready:
            sys.exit("server needs --ready")
        server(a)
    else:
        if not a.ports:
            sys.exit("client needs --ports")
        client(a)


if __name__ == "__main__":
    main()
