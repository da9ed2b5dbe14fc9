"""Shared helpers of the end-to-end scenario scripts: a release `conton serve` on a free port,
the `conton call` CLI, and an SMTP sink for aiosmtpd. The binary is the script's first argument."""
import email
import contextlib
import email.policy
import json
import os
import socket
import subprocess
import sys
import time

BINARY = os.path.abspath(sys.argv[1])
OWNER, PASSWORD = "owner@example.com", "correct horse 42"
# The environment that makes the first `serve` create the owner with that password.
OWNER_ENV = {"CONTON_OWNER_EMAIL": OWNER, "CONTON_OWNER_PASSWORD": PASSWORD}


class Sink:
    """Keeps every message aiosmtpd receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def serve(data, env_extra, args=()):
    """Starts `conton serve` on `data` and a free port; returns once it listens. Its log (stderr,
    one line per call) goes to `data/server.log`: a pipe nobody reads would fill and stall it."""
    port = free_port()
    env = dict(os.environ, **env_extra)
    log_path = os.path.join(data, "server.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([BINARY, "serve", "--data-dir", data, "--listen", "127.0.0.1:%d" % port, *args],
                                stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    lines = []
    while True:
        line = proc.stdout.readline()
        if not line:
            proc.wait()
            with open(log_path) as log:
                raise RuntimeError("server exited: " + log.read())
        lines.append(line)
        if line.startswith("listening on"):
            return proc, port, lines


def call(data, port, method, body, token=None):
    cmd = [BINARY, "call", "--addr", "127.0.0.1:%d" % port, "--data-dir", data]
    if token:
        cmd += ["--token", token]
    r = subprocess.run(cmd + [method, body], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def download(data, port, method, body, output, token=None):
    """`conton download METHOD BODY -o OUTPUT`: (exit code, stdout, stderr)."""
    cmd = [BINARY, "download", "--addr", "127.0.0.1:%d" % port, "--data-dir", data]
    if token:
        cmd += ["--token", token]
    r = subprocess.run(cmd + [method, body, "-o", output], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def login(data, port, user, password):
    return call(data, port, "conton.identity.v1.Identity/Login", json.dumps({"email": user, "password": password}))


def token_for(data, port, email=OWNER, password=PASSWORD):
    """Signs in through the CLI; returns the session token."""
    code, out, err = login(data, port, email, password)
    assert code == 0, (code, out, err)
    return json.loads(out)["token"]


def activate(sink, data, port, email, ca):
    """The portal login of `email`: the code of its access e-mail (from the aiosmtpd `sink`), used
    once to choose a password; then its session token."""
    import re
    from conton_client import Channel
    from conton_client.gen.conton.identity.v1 import identity_pb2
    pattern = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")

    def codes():
        bodies = [m.get_body(preferencelist=("plain",)).get_content() for r, m in sink.messages if r == [email]]
        return [pattern.search(b).group(0) for b in bodies if pattern.search(b)]
    assert wait_for(codes), "no access e-mail for " + email
    with Channel("127.0.0.1", port, ca) as ch:
        ch.unary("conton.identity.v1.Identity/ActivateAccount",
                 identity_pb2.ActivateAccountRequest(code=codes()[-1], new_password="senha própria de " + email))
    return token_for(data, port, email, "senha própria de " + email)


def refused(fn):
    """The status code of the ContonError `fn()` raises (AssertionError when it succeeds)."""
    from conton_client import ContonError
    try:
        fn()
    except ContonError as e:
        return e.code
    raise AssertionError("accepted")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()



def wait_for(predicate, timeout=30):
    """Polls until predicate() is truthy; returns its value (or the last falsy one)."""
    deadline = time.time() + timeout
    value = predicate()
    while not value and time.time() < deadline:
        time.sleep(0.1)
        value = predicate()
    return value


def run_scenarios(*scenarios):
    """Runs every scenario, prints PASS/FAIL for each, exits 1 if any failed."""
    failed = 0
    for fn in scenarios:
        try:
            fn()
            print("PASS " + fn.__name__)
        except Exception as e:  # noqa: BLE001 — report every scenario
            failed += 1
            print("FAIL %s: %r" % (fn.__name__, e))
    print("%d failed" % failed)
    sys.exit(1 if failed else 0)


@contextlib.contextmanager
def running(data, env_extra, args=()):
    """`serve` as a context manager: the server is stopped however the block ends."""
    proc, port, lines = serve(data, env_extra, args)
    try:
        yield proc, port, lines
    finally:
        if proc.poll() is None:
            stop(proc)
