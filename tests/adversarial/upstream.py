"""A misbehaving upstream API for the proxy tests: a real socket server on a free loopback port
whose answer the request picks with `x-upstream`: ok, short (fewer body bytes than announced),
garbled (not HTTP), status999, or hang (reads the request and never answers)."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time

REPLY = json.dumps({"id": "msg_upstream", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
                    "content": [{"type": "text", "text": "from upstream"}], "stop_reason": "end_turn",
                    "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 2}}).encode()


def _answer(kind: str) -> bytes | None:
    head = "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
    if kind == "short":
        return head.format(status="200 OK", length=len(REPLY) + 100).encode() + REPLY[:10]
    if kind == "garbled":
        return b"this is not HTTP at all\r\n\r\n"
    if kind == "status999":
        return head.format(status="999 Odd", length=len(REPLY)).encode() + REPLY
    if kind == "hang":
        return None
    return head.format(status="200 OK", length=len(REPLY)).encode() + REPLY


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        headers = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
        headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
        length = int(headers.get(b"content-length", b"0"))
        while len(body) < length:
            body += sock.recv(65536)
        answer = _answer(headers.get(b"x-upstream", b"ok").decode())
        if answer is None:
            time.sleep(20)  # longer than any --proxy-timeout the tests set
            return
        sock.sendall(answer)


class Upstream(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> "Upstream":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
