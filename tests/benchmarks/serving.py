"""What the browser and web benchmarks share: ``coopgraph serve`` started as a user starts it, waited for."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: how the tests stop what they start
from servers import stop  # noqa: E402

COOPGRAPH = [sys.executable, "-m", "coopgraph"]


def serve(store: Path, *options: str, stderr=subprocess.DEVNULL) -> tuple[subprocess.Popen, str]:
    """Start ``coopgraph serve`` on ``store`` (a process of its own, on a free loopback port) and return once it
    is warm: what it builds as it starts (networks, search index) is built. Returns the process and its URL.
    ``options`` are more options of ``serve`` (``"--timeout", "5"``); ``stderr`` is where the server's log and
    tracebacks go (an open file, to read them after the run; by default nowhere)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*COOPGRAPH, "--store", str(store), "serve", "--port", str(port), *options],
                              stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (exit code {server.returncode}) before it was warm")
        try:
            with urllib.request.urlopen(f"{url}/index.json", timeout=60) as answer:
                if json.load(answer)["warm"]:
                    return server, url
        except OSError:
            pass
        time.sleep(0.5)
    stop(server)
    raise RuntimeError("the server did not warm up in 5 minutes")
