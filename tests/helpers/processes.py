"""Waiting for a server process the tests started."""

from __future__ import annotations

import socket
import subprocess
import time


def wait_for_port(server: subprocess.Popen[str], port: int, what: str, limit: float = 90) -> None:
    """Return once `port` on 127.0.0.1 accepts connections; fail with the server's stderr if it
    exits first, or after `limit` seconds."""
    started = time.monotonic()
    while True:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        assert time.monotonic() - started < limit, f"{what} did not come up in {limit:.0f} s"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.25)
