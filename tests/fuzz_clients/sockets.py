"""A planted client's transport through the real mock (httpx on a socket), for @anthropic_fuzz tests."""

from __future__ import annotations

from typing import Any, Iterator

import httpx

from .reference import Cut, Response


class Socket:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=30)
        self.sleeps: list[float] = []

    def post(self, body: dict[str, Any]) -> Response:
        request = self.http.build_request("POST", "/v1/messages", json=body)
        response = self.http.send(request, stream=True)
        headers = {k: v for k, v in response.headers.items() if k in ("retry-after", "x-should-retry")}
        if response.status_code >= 400:
            response.read()
            response.close()
            return Response(response.status_code, headers, [response.content])
        return Response(response.status_code, headers, _raw(response))

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def close(self) -> None:
        self.http.close()


def _raw(response: httpx.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_raw()
    except (httpx.RemoteProtocolError, httpx.ReadError) as error:
        raise Cut() from error
    finally:
        response.close()
