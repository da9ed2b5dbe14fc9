"""Mutual TLS through the Python client: a certificate issued by the server's `--client-ca` is
accepted, one from a foreign CA is refused during the handshake, and a client without one still
connects (client certificates are optional; identity decides what an anonymous peer may call)."""
import os
import ssl
import subprocess

import pytest

from conton_client import ContonError, StatusCode
from conton_client.gen.conton.health.v1 import health_pb2

from conftest import start_server, stop_server

CHECK = "conton.health.v1.Health/Check"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _ca(d, name):
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", name + "-key.pem", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name,
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
             cwd=d)


def _leaf(d, ca, name):
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", name + "-key.pem", "-out", name + ".csr", "-subj", "/CN=" + name, cwd=d)
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    _openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + "-key.pem",
             "-CAcreateserial", "-days", "2", "-out", name + ".pem", "-extfile", name + ".ext", cwd=d)
    return os.path.join(d, name + ".pem"), os.path.join(d, name + "-key.pem")


@pytest.fixture(scope="module")
def mtls(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("mtls"))
    _ca(d, "office-ca")
    _ca(d, "foreign-ca")
    good = _leaf(d, "office-ca", "billing-job")
    bad = _leaf(d, "foreign-ca", "intruder")
    server = start_server(["--client-ca", os.path.join(d, "office-ca.pem")])
    yield server, good, bad
    stop_server(server)


def test_certificate_from_the_client_ca_is_accepted(mtls):
    server, (cert, key), _ = mtls
    with server.channel(cert_file=cert, key_file=key) as ch:
        r = ch.unary(CHECK, health_pb2.HealthCheckRequest())
        assert r.status == health_pb2.HealthCheckResponse.SERVING


def test_certificate_from_a_foreign_ca_is_refused(mtls):
    server, _, (cert, key) = mtls
    # TLS 1.3: the client's handshake completes before the server has checked its certificate, so
    # the refusal (alert "unknown ca") arrives on the first read and fails the call as UNAVAILABLE.
    with pytest.raises((ssl.SSLError, ContonError)) as e:
        with server.channel(cert_file=cert, key_file=key) as ch:
            ch.unary(CHECK, health_pb2.HealthCheckRequest(), timeout=5)
    if isinstance(e.value, ContonError):
        assert e.value.code == StatusCode.UNAVAILABLE
    assert "unknown ca" in str(e.value).lower()


def test_client_without_certificate_still_connects(mtls):
    server, _, _ = mtls
    with server.channel() as ch:
        assert ch.unary(CHECK, health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING
