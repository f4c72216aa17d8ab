"""A bare Bolt 5 client for one thing: measuring what a query costs Neo4j and the loopback
round trip without a driver, so that the benchmark can split a driver call's latency into
the server's part and the Python driver's part (docs/benchmarks.md).

It speaks just enough of the protocol: the handshake, HELLO and LOGON (basic auth when
credentials are given), and a RUN
with PULL sent together; parameters may be None, bools, ints, strings, lists and maps. It
reads the answer to the end (RUN's SUCCESS, the records, PULL's SUCCESS) without decoding
the records, and raises on a FAILURE. It is not a driver: no pool, no retries, no routing,
no results. The product itself always goes through the official driver (graph/db.py).
"""

import socket
import struct
from typing import Any

SUCCESS, RECORD, FAILURE = 0x70, 0x71, 0x7F


def _pack(value: Any) -> bytes:
    if value is None:
        return b"\xc0"
    if isinstance(value, bool):
        return b"\xc3" if value else b"\xc2"
    if isinstance(value, int):
        if -16 <= value < 128:
            return struct.pack(">b", value)
        return b"\xcb" + struct.pack(">q", value)
    if isinstance(value, str):
        data = value.encode()
        size = len(data)
        if size < 16:
            return bytes([0x80 + size]) + data
        if size < 256:
            return b"\xd0" + bytes([size]) + data
        return b"\xd1" + struct.pack(">H", size) + data
    if isinstance(value, list):
        if len(value) >= 16:
            return b"\xd4" + bytes([len(value)]) + b"".join(_pack(v) for v in value)
        return bytes([0x90 + len(value)]) + b"".join(_pack(v) for v in value)
    if isinstance(value, dict):
        if len(value) >= 16:
            raise ValueError("maps of 16 keys or more are not needed here")
        return bytes([0xA0 + len(value)]) + b"".join(_pack(k) + _pack(v) for k, v in value.items())
    raise TypeError(f"cannot pack {type(value).__name__}")


def _message(tag: int, *fields: Any) -> bytes:
    body = bytes([0xB0 + len(fields), tag]) + b"".join(_pack(f) for f in fields)
    chunks = b"".join(struct.pack(">H", len(body[i:i + 65535])) + body[i:i + 65535]
                      for i in range(0, len(body), 65535))
    return chunks + b"\x00\x00"


class BareBolt:
    """One connection; `run(text, params)` sends RUN+PULL and waits for the whole answer."""

    def __init__(self, host: str, port: int, user: str | None = None,
                 password: str | None = None) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.sock.sendall(b"\x60\x60\xb0\x17" + struct.pack(">I", 0x0405) + b"\x00" * 12)
        if self.sock.recv(4) != struct.pack(">I", 0x0405):
            raise RuntimeError("the server does not speak Bolt 5.4")
        self.sock.sendall(_message(0x01, {"user_agent": "tiergraph-bench/1",
                                          "bolt_agent": {"product": "tiergraph-bench/1"}}))
        self._expect(SUCCESS)
        auth: dict[str, Any] = {"scheme": "none"}
        if user is not None:
            auth = {"scheme": "basic", "principal": user, "credentials": password or ""}
        self.sock.sendall(_message(0x6A, auth))
        self._expect(SUCCESS)

    def _next_tag(self) -> int:
        """The tag of the next whole message, reading from the socket as needed."""
        while True:
            at, body, done = 0, b"", False
            while at + 2 <= len(self.buffer):
                size = struct.unpack(">H", self.buffer[at:at + 2])[0]
                if size == 0:
                    done = True
                    at += 2
                    break
                if at + 2 + size > len(self.buffer):
                    break
                body += self.buffer[at + 2:at + 2 + size]
                at += 2 + size
            if done:
                self.buffer = self.buffer[at:]
                return body[1]
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("Neo4j closed the connection")
            self.buffer += data

    def _expect(self, tag: int) -> None:
        got = self._next_tag()
        if got != tag:
            raise RuntimeError(f"Bolt answered 0x{got:02x}, expected 0x{tag:02x}")

    def run(self, text: str, params: dict[str, Any]) -> int:
        """Run one auto-commit query; returns how many records came back."""
        self.sock.sendall(_message(0x10, text, params, {"mode": "r"}) + _message(0x3F, {"n": -1}))
        self._expect(SUCCESS)
        records = 0
        while (tag := self._next_tag()) == RECORD:
            records += 1
        if tag != SUCCESS:
            raise RuntimeError(f"Bolt answered 0x{tag:02x} to PULL")
        return records

    def close(self) -> None:
        self.sock.sendall(_message(0x02))  # GOODBYE
        self.sock.close()
