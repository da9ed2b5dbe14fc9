"""Starts one real `conton serve --enable-test-service` per test session (temp data dir, free
port) and hands tests a connected Channel. Binary: $CONTON_BINARY, default the release build."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from conton_client import Channel

BINARY = os.environ.get("CONTON_BINARY") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".build", "release", "conton")


class Server:
    def __init__(self, proc, port, data):
        self.proc, self.port, self.data = proc, port, data
        self.ca = os.path.join(data, "tls", "ca.pem")

    def channel(self, **kw):
        return Channel("127.0.0.1", self.port, self.ca, **kw)


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(extra=()):
    if not os.path.exists(BINARY):
        pytest.fail("server binary %s not found (set CONTON_BINARY)" % BINARY)
    data = tempfile.mkdtemp(prefix="conton-pyclient-")
    for _ in range(3):
        port = _free_port()
        proc = subprocess.Popen([BINARY, "serve", "--data-dir", data, "--listen", "127.0.0.1:%d" % port,
                                 "--enable-test-service", *extra],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 30
        line = ""
        while "listening on" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
        if "listening on 127.0.0.1:%d" % port in line:
            proc.stdout.close()
            return Server(proc, port, data)
        proc.kill()
        proc.wait()
    shutil.rmtree(data, ignore_errors=True)
    pytest.fail("server did not start")


def stop_server(server):
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    shutil.rmtree(server.data, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    s = start_server()
    yield s
    stop_server(s)


@pytest.fixture(scope="session")
def channel(server):
    """One connection shared by the whole session (as gRPC's interop client does)."""
    ch = server.channel()
    yield ch
    ch.close()
