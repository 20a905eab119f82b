#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Short TCP connections for the CLI selftests, ended by RST so that they
finish at once instead of waiting 60 s in TIME_WAIT.  One process does
several listeners or several batches: a python start is slow under
emulation.

  cli_load.py server ADDR PORT [ADDR PORT]... --ready FILE
      Listens on each ADDR PORT (PORT 0: any free one; "=": the port of
      the listener before), accepts and drains connections until killed;
      writes the bound ports to FILE, one a line, once all listen.
  cli_load.py client ADDR PORT --count N --ports FILE [--linger]
      Opens N connections one after the other and aborts each (SO_LINGER
      0: RST, no TIME_WAIT), unless --linger (a normal close: the client
      keeps a TIME_WAIT entry).  Writes the local ports, one a line.
  cli_load.py clients DIR NAME=ADDR,PORT,N[,linger]...
      Batches in that order, as client does; DIR/NAME gets each one's ports.
"""

import argparse
import os
import select
import socket
import struct
import sys

from peerlib import family, write_atomic


def server(pairs, ready):
    listeners = []
    ports = []
    for addr, port in pairs:
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, ports[-1] if port == "=" else int(port)))
        s.listen(1024)
        listeners.append(s)
        ports.append(s.getsockname()[1])
    write_atomic(ready, "".join(f"{p}\n" for p in ports))
    conns = []
    while True:
        r, _, _ = select.select(listeners + conns, [], [])
        for c in r:
            if c in listeners:
                n, _ = c.accept()
                conns.append(n)
                continue
            try:
                data = c.recv(4096)
            except OSError:
                data = b""
            if not data:
                conns.remove(c)
                c.close()


def batch(addr, port, count, linger):
    ports = []
    for _ in range(count):
        c = socket.socket(family(addr), socket.SOCK_STREAM)
        c.connect((addr, port))
        ports.append(c.getsockname()[1])
        c.sendall(b"x")
        if not linger:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        c.close()
    return "".join(f"{p}\n" for p in ports)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "clients":
        if len(sys.argv) < 4:
            sys.exit(__doc__)
        for spec in sys.argv[3:]:
            name, _, rest = spec.partition("=")
            f = rest.split(",")
            text = batch(f[0], int(f[1]), int(f[2]), f[3:] == ["linger"])
            write_atomic(os.path.join(sys.argv[2], name), text)
        return
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("endpoints", nargs="+")
    p.add_argument("--ready")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--ports")
    p.add_argument("--linger", action="store_true")
    a = p.parse_args()
    if len(a.endpoints) % 2:
        sys.exit("endpoints come as ADDR PORT pairs")
    pairs = list(zip(a.endpoints[0::2], a.endpoints[1::2]))
    if a.mode == "server":
        if not a.ready:
            sys.exit("server needs --ready")
        server(pairs, a.ready)
    else:
        if not a.ports or len(pairs) != 1:
            sys.exit("client needs one ADDR PORT and --ports")
        write_atomic(a.ports, batch(pairs[0][0], int(pairs[0][1]), a.count,
                                    a.linger))


if __name__ == "__main__":
    main()
