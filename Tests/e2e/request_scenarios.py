#!/usr/bin/env python3
"""Bad requests, end to end against a release `conton serve` with every plugin, for every method
of every ContOn service (read from the committed descriptor set with Google's own
`descriptor_pb2`, independently of the server), with requests built here byte by byte:

* a NUL byte, or invalid UTF-8, in the first string field answers INVALID_ARGUMENT with a field
  violation naming that field; a password with junk after a NUL does not log in;
* a non-ASCII e-mail address, in every field that takes one, never answers UNKNOWN or INTERNAL
  (INVALID_ARGUMENT naming the field wherever the e-mail is validated);
* a 5 MiB request answers RESOURCE_EXHAUSTED, and the server's log records exactly that.

Usage: request_scenarios.py PATH/TO/conton   (PYTHONPATH must reach clients/python)
"""
import os
import shutil
import tempfile

from google.protobuf import descriptor_pb2

from conton_client import Channel, ContonError
from conton_e2e import OWNER, OWNER_ENV, PASSWORD, run_scenarios, running, token_for

HERE = os.path.dirname(os.path.abspath(__file__))
DESCRIPTORS = os.path.join(HERE, "..", "..", "Protos", "descriptors", "conton.pb")

STRING, BYTES, MESSAGE = 9, 12, 11
REPEATED = 3


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def load():
    fds = descriptor_pb2.FileDescriptorSet()
    with open(DESCRIPTORS, "rb") as f:
        fds.ParseFromString(f.read())
    messages, services = {}, []

    def add(prefix, m):
        name = prefix + "." + m.name
        messages[name] = m
        for n in m.nested_type:
            add(name, n)

    for file in fds.file:
        for m in file.message_type:
            add(file.package, m)
        for s in file.service:
            services.append((file.package + "." + s.name, s))
    return messages, services


def first_string_path(messages, type_name, depth=3, seen=()):
    """[(field descriptor)] to the first string field, breadth first (top-level fields first)."""
    m = messages[type_name.lstrip(".")]
    if m.options.map_entry:
        return None
    for f in m.field:
        if f.type == STRING:
            return [f]
    if depth <= 1:
        return None
    for f in m.field:
        if f.type == MESSAGE and f.type_name not in seen:
            sub = first_string_path(messages, f.type_name, depth - 1, seen + (f.type_name,))
            if sub:
                return [f] + sub
    return None


def encode(path, value):
    inner = value
    for f in reversed(path):
        inner = field(f.number, inner)
    return inner


def expected_name(path):
    return ".".join(f.name + ("[0]" if f.label == REPEATED else "") for f in path)


def call(ch, method, m, payload, token):
    md = [("authorization", "Bearer " + token)] if token else None
    if m.client_streaming and m.server_streaming:
        c = ch.bidi(method, [payload], metadata=md, timeout=30)
        list(c)
    elif m.client_streaming:
        ch.client_stream(method, [payload], metadata=md, timeout=30)
    elif m.server_streaming:
        list(ch.server_stream(method, payload, metadata=md, timeout=30))
    else:
        ch.unary(method, payload, metadata=md, timeout=30)


def every_method_refuses_nul_and_invalid_utf8():
    messages, services = load()
    data = tempfile.mkdtemp(prefix="conton-strings-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            token = token_for(data, port)
            checked, methods = 0, 0
            with Channel("127.0.0.1", port, os.path.join(data, "tls", "ca.pem")) as ch:
                for service, s in services:
                    if not service.startswith("conton."):
                        continue
                    for m in s.method:
                        path = first_string_path(messages, m.input_type)
                        if path is None:
                            continue
                        methods += 1
                        method = "%s/%s" % (service, m.name)
                        for label, value in (("NUL", b"abc\x00def"), ("UTF-8", b"\xff\xfe\xcd")):
                            try:
                                call(ch, method, m, encode(path, value), token)
                                raise AssertionError("%s accepted %s in %s" % (method, label, expected_name(path)))
                            except ContonError as e:
                                if e.code_name == "UNIMPLEMENTED" and service.startswith(("conton.testing.", "conton.example.")):
                                    continue  # the test service and the example plugin are not served here
                                if e.code_name == "PERMISSION_DENIED" and "client logins only" in e.message:
                                    continue  # client-only methods refuse staff before reading
                                assert e.code_name == "INVALID_ARGUMENT", (method, label, str(e))
                                fields = [f for f, _ in e.field_violations]
                                assert fields == [expected_name(path)], (method, label, fields, str(e))
                                assert label in e.field_violations[0][1], (method, e.field_violations)
                                checked += 1
            assert methods >= 57 and checked >= 100, (methods, checked)
            print("  %d methods, %d refusals checked" % (methods, checked))
    finally:
        shutil.rmtree(data, ignore_errors=True)


def email_paths(messages, type_name, depth=3, seen=()):
    """Every path to a string field named like an e-mail (email, emails, other_emails, …)."""
    m = messages[type_name.lstrip(".")]
    out = []
    for f in m.field:
        if f.type == STRING and "email" in f.name:
            out.append([f])
        elif f.type == MESSAGE and depth > 1 and f.type_name not in seen:
            out += [[f] + p for p in email_paths(messages, f.type_name, depth - 1, seen + (f.type_name,))]
    return out


def non_ascii_emails_never_answer_unknown():
    messages, services = load()
    data = tempfile.mkdtemp(prefix="conton-emails-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            token = token_for(data, port)
            checked, validated = 0, 0
            with Channel("127.0.0.1", port, os.path.join(data, "tls", "ca.pem")) as ch:
                for service, s in services:
                    if not service.startswith("conton.") or service.startswith(("conton.testing.", "conton.example.")):
                        continue
                    for m in s.method:
                        method = "%s/%s" % (service, m.name)
                        for path in email_paths(messages, m.input_type):
                            for address in ("josé@example.com", "jose@exämple.com"):
                                try:
                                    call(ch, method, m, encode(path, address.encode()), token)
                                    continue  # an e-mail that is only a filter may match nothing
                                except ContonError as e:
                                    assert e.code_name not in ("UNKNOWN", "INTERNAL"), (method, expected_name(path), str(e))
                                    if e.code_name == "INVALID_ARGUMENT" and expected_name(path) in [f for f, _ in e.field_violations]:
                                        validated += 1
                                checked += 1
            # CreateUser, CreateClient, client access, password reset, Meus Dados… validate it.
            assert checked >= 8 and validated >= 6, (checked, validated)
            print("  %d calls with a non-ASCII e-mail, %d refused naming the field" % (checked, validated))
    finally:
        shutil.rmtree(data, ignore_errors=True)


def oversized_request_is_logged_as_what_the_client_was_told():
    data = tempfile.mkdtemp(prefix="conton-oversize-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            token = token_for(data, port)
            md = [("authorization", "Bearer " + token)]
            big = field(1, b"x" * (5 * 1024 * 1024))
            methods = ["conton.clients.v1.Clients/CreateClient", "conton.health.v1.Health/Check",
                       "conton.identity.v1.Identity/Login", "conton.fees.v1.Receivables/ListReceivables"]
            with Channel("127.0.0.1", port, os.path.join(data, "tls", "ca.pem")) as ch:
                for i in range(40):
                    method = methods[i % len(methods)]
                    try:
                        ch.unary(method, big, metadata=md, timeout=30)
                        raise AssertionError("%s accepted 5 MiB" % method)
                    except ContonError as e:
                        assert e.code_name == "RESOURCE_EXHAUSTED", (method, str(e))
                # The connection goes on.
                ch.unary("conton.health.v1.Health/Check", b"", timeout=30)
        with open(os.path.join(data, "server.log")) as f:
            lines = [l for l in f if " call" in l and "method=" in l]
        logged = [l for l in lines if any("method=" + m + " " in l for m in methods)]
        assert len(logged) >= 41, len(logged)
        wrong = [l for l in logged if "status=resourceExhausted" not in l and "status=ok" not in l]
        assert not wrong, wrong[:3]
        assert sum("status=resourceExhausted" in l for l in logged) == 40, logged[:3]
    finally:
        shutil.rmtree(data, ignore_errors=True)


def list_shows_who_may_call_each_method():
    """`conton list SERVICE` prints each method's access rule (from reflection), and every
    method of every served service has one."""
    import subprocess
    from conton_e2e import BINARY
    data = tempfile.mkdtemp(prefix="conton-list-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            def cli(*args):
                r = subprocess.run([BINARY, args[0], "--addr", "127.0.0.1:%d" % port, "--data-dir", data, *args[1:]],
                                   capture_output=True, text=True, timeout=60)
                assert r.returncode == 0, (args, r.stderr)
                return r.stdout.splitlines()
            lines = cli("list", "conton.clients.v1.Clients")
            by_method = {l.split("(")[0]: l for l in lines}
            assert by_method["conton.clients.v1.Clients/DeleteClient"].endswith("  [staff (admin or higher)]"), lines
            assert by_method["conton.clients.v1.Clients/GetClient"].endswith("  [staff or client]"), lines
            assert by_method["conton.clients.v1.Clients/CreateClient"].endswith("  [staff]"), lines
            receivables = {l.split("(")[0]: l for l in cli("list", "conton.fees.v1.Receivables")}
            assert receivables["conton.fees.v1.Receivables/ListReceivables"].endswith(
                "  [staff or client, or service scope fees:read]"), receivables
            assert any(l.startswith("conton.identity.v1.Identity/Login(") and l.endswith("  [public]")
                       for l in cli("list", "conton.identity.v1.Identity"))
            for service in cli("list"):
                for line in cli("list", service):
                    assert line.endswith("]") and "  [" in line, line
    finally:
        shutil.rmtree(data, ignore_errors=True)


def password_with_junk_after_nul_does_not_log_in():
    data = tempfile.mkdtemp(prefix="conton-strings-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            with Channel("127.0.0.1", port, os.path.join(data, "tls", "ca.pem")) as ch:
                method = "conton.identity.v1.Identity/Login"
                login = field(1, OWNER.encode()) + field(2, PASSWORD.encode() + b"\x00anything")
                try:
                    ch.unary(method, login, timeout=30)
                    raise AssertionError("logged in with junk after a NUL")
                except ContonError as e:
                    assert e.code_name == "INVALID_ARGUMENT" and [f for f, _ in e.field_violations] == ["password"], str(e)
                # Control: the same bytes without the junk do log in.
                token = ch.unary(method, field(1, OWNER.encode()) + field(2, PASSWORD.encode()), timeout=30)
                assert len(token) > 20
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    run_scenarios(every_method_refuses_nul_and_invalid_utf8, password_with_junk_after_nul_does_not_log_in,
                  non_ascii_emails_never_answer_unknown, oversized_request_is_logged_as_what_the_client_was_told,
                  list_shows_who_may_call_each_method)
