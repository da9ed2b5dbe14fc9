#!/usr/bin/env python3
"""Identity end to end, driven exactly as outside checks drive it: a release `conton serve` with
CONTON_OWNER_EMAIL/CONTON_OWNER_PASSWORD, the `conton call` CLI, `conton admin reset-owner`, and a
real SMTP server (aiosmtpd) receiving the activation e-mail.

Usage: identity_scenarios.py PATH/TO/conton
"""
import json
import re
import shutil
import subprocess
import tempfile
import time

from aiosmtpd.controller import Controller

from conton_e2e import BINARY, OWNER, OWNER_ENV, PASSWORD, Sink, call, free_port, login, run_scenarios, serve, stop


def contract_login_whoami_throttle_and_reset_owner():
    data = tempfile.mkdtemp(prefix="conton-identity-")
    try:
        proc, port, lines = serve(data, OWNER_ENV)
        assert any(OWNER in l for l in lines), lines
        code, out, err = login(data, port, OWNER, PASSWORD)
        assert code == 0, (code, out, err)
        token = json.loads(out)["token"]
        assert isinstance(token, str) and token, out
        code, out, err = call(data, port, "conton.identity.v1.Identity/WhoAmI", "{}", token=token)
        assert code == 0 and OWNER in out, (code, out, err)
        # Without a token: UNAUTHENTICATED, in the CLI's error format.
        code, out, err = call(data, port, "conton.identity.v1.Identity/WhoAmI", "{}")
        assert code == 1 and err.startswith("ERROR UNAUTHENTICATED (16): "), (code, err)
        # A wrong password and an unknown e-mail answer identically.
        wrong = login(data, port, OWNER, "wrong password")
        unknown = login(data, port, "nobody@example.com", "wrong password")
        assert wrong == unknown and wrong[0] == 1 and "UNAUTHENTICATED" in wrong[2], (wrong, unknown)
        # Three more failures (five in a row), then the sixth is throttled, even with the right password.
        for _ in range(3):
            assert login(data, port, OWNER, "wrong password")[0] == 1
        code, out, err = login(data, port, OWNER, PASSWORD)
        assert code == 1 and err.startswith("ERROR RESOURCE_EXHAUSTED (8): "), (code, err)
        # The operator recovers the owner with the server running.
        r = subprocess.run([BINARY, "admin", "reset-owner", "--data-dir", data], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
        new_password = re.search(r"new password (\S+)", r.stdout).group(1)
        code, out, err = login(data, port, OWNER, new_password)
        assert code == 0 and json.loads(out)["passwordChangeRequired"] is True, (code, out, err)
        # The old session was ended by the reset.
        assert call(data, port, "conton.identity.v1.Identity/WhoAmI", "{}", token=token)[0] == 1
        stop(proc)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def first_serve_prints_a_generated_owner_login():
    data = tempfile.mkdtemp(prefix="conton-identity-")
    try:
        env = {k: "" for k in ("CONTON_OWNER_EMAIL",)}
        proc, port, lines = serve(data, env)
        line = next(l for l in lines if l.startswith("first login"))
        m = re.search(r"first login \(shown once\): (\S+)\s+password: (\S+)", line)
        assert m, line
        code, out, err = login(data, port, m.group(1), m.group(2))
        assert code == 0 and json.loads(out)["passwordChangeRequired"] is True, (code, out, err)
        stop(proc)
        # Not printed again on the next start.
        proc, port, lines = serve(data, {})
        assert not any(l.startswith("first login") for l in lines), lines
        stop(proc)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def activation_email_reaches_smtp_and_its_code_works_once():
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    data = tempfile.mkdtemp(prefix="conton-identity-")
    try:
        proc, port, _ = serve(data, dict(OWNER_ENV, CONTON_SMTP_URL="smtp://127.0.0.1:%d?tls=none" % smtp_port))
        token = json.loads(login(data, port, OWNER, PASSWORD)[1])["token"]
        code, out, err = call(data, port, "conton.identity.v1.Users/CreateUser",
                              json.dumps({"email": "joana@example.com", "name": "Joana Araújo", "role": "ROLE_STAFF"}), token=token)
        assert code == 0, (code, out, err)
        deadline = time.time() + 30
        while not sink.messages and time.time() < deadline:
            time.sleep(0.1)
        assert sink.messages, "no e-mail reached the SMTP server"
        rcpts, msg = sink.messages[-1]
        assert rcpts == ["joana@example.com"], rcpts
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert "Joana Araújo" in body and "senha:" not in body.lower(), body
        activation = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}", body).group(0)
        req = json.dumps({"code": activation, "newPassword": "joana's own password"})
        code, out, err = call(data, port, "conton.identity.v1.Identity/ActivateAccount", req)
        assert code == 0 and "joana@example.com" in out, (code, out, err)
        code, out, err = call(data, port, "conton.identity.v1.Identity/ActivateAccount", req)
        assert code == 1 and "INVALID_ARGUMENT" in err and "code" in err, (code, out, err)
        assert login(data, port, "joana@example.com", "joana's own password")[0] == 0
        stop(proc)
    finally:
        controller.stop()
        shutil.rmtree(data, ignore_errors=True)


run_scenarios(contract_login_whoami_throttle_and_reset_owner, first_serve_prints_a_generated_owner_login,
              activation_email_reaches_smtp_and_its_code_works_once)
