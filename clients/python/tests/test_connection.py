"""Connection-level behaviour: limits, concurrency, protocol errors, PING, GOAWAY, TLS."""
import signal
import socket
import ssl
import struct
import threading
import time

import pytest

from conton_client import ALPN, Channel, ContonError, StatusCode
from conton_client.channel import Call
from conton_client.gen.conton.health.v1 import health_pb2
from google.rpc import error_details_pb2, status_pb2
from conton_client.gen.conton.rpc.v1 import wire_pb2
from conton_client.gen.conton.testing.v1 import test_pb2 as t

from conftest import start_server, stop_server

SVC = "conton.testing.v1.TestService/"
CHECK = "conton.health.v1.Health/Check"


def test_health_check_serving(channel):
    r = channel.unary(CHECK, health_pb2.HealthCheckRequest())
    assert isinstance(r, health_pb2.HealthCheckResponse)
    assert r.status == health_pb2.HealthCheckResponse.SERVING
    # Raw bytes in, raw bytes out.
    assert channel.unary(CHECK, b"") == b"\x08\x01"


def test_health_check_unknown_service_not_found(channel):
    with pytest.raises(ContonError) as e:
        channel.unary(CHECK, health_pb2.HealthCheckRequest(service="nope.Service"))
    assert e.value.code == StatusCode.NOT_FOUND and e.value.code_name == "NOT_FOUND"


def test_bearer_token_is_accepted(server):
    with server.channel(token="t0k3n") as ch:
        assert ch.unary(CHECK, health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING


def test_oversize_message_resource_exhausted_connection_usable(channel):
    big = t.SimpleRequest(response_size=1, payload=t.Payload(body=bytes(4 * 1024 * 1024 + 1)))
    with pytest.raises(ContonError) as e:
        channel.unary(SVC + "UnaryCall", big)
    assert e.value.code == StatusCode.RESOURCE_EXHAUSTED
    assert not channel.closed
    r = channel.unary(SVC + "UnaryCall", t.SimpleRequest(response_size=10))
    assert len(r.payload.body) == 10


def test_hundred_concurrent_calls_one_connection(server):
    with server.channel() as ch:
        results, errors = {}, []
        barrier = threading.Barrier(100)

        def worker(i):
            try:
                barrier.wait(10)
                # Each call sleeps a little on the server, so all 100 are open at once.
                call = ch.server_stream(SVC + "StreamingOutputCall", t.StreamingOutputCallRequest(
                    response_parameters=[t.ResponseParameters(size=i + 1, interval_us=200_000)]), timeout=20)
                results[i] = [len(r.payload.body) for r in call]
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(100)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)
        assert errors == []
        assert results == {i: [i + 1] for i in range(100)}
        assert ch._next_id == 101  # ids 1..100, strictly increasing
        assert ch.unary(CHECK, b"") == b"\x08\x01"


def test_call_ids_strictly_increasing(channel):
    ids = [channel.server_stream(SVC + "StreamingOutputCall", b"").call_id for _ in range(5)]
    assert ids == sorted(set(ids))


def test_call_ids_run_out(server):
    """0xFFFFFFFF is a connection's last call id (PROTOCOL.md §3): then a new channel is needed."""
    with server.channel() as ch:
        ch._next_id = 0xFFFFFFFF
        assert ch.unary(CHECK, b"") == b"\x08\x01"
        with pytest.raises(ContonError) as e:
            ch.unary(CHECK, b"")
        assert e.value.code == StatusCode.UNAVAILABLE and "call ids exhausted" in e.value.message


@pytest.mark.parametrize("metadata", [[("Authorization", "Bearer x")], [("x key", "v")], [("x-note", "line\nbreak")],
                                      [("x-note", "olá")], [("grpc-timeout", "1S")], [("conton-x", "v")]])
def test_metadata_the_server_would_refuse_is_refused_before_sending(channel, metadata):
    with pytest.raises(ValueError):
        channel.unary(CHECK, b"", metadata=metadata)
    assert channel.unary(CHECK, b"", metadata=[("x-note", "printable ~"), ("x-note-bin", b"\x00\n\xff")]) == b"\x08\x01"


def _raw_tls(server):
    ctx = ssl.create_default_context(cafile=server.ca)
    ctx.set_alpn_protocols([ALPN])
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10), server_hostname="localhost")
    assert s.selected_alpn_protocol() == ALPN
    return s


def _read_frames(sock):
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    frames = []
    while len(buf) >= 10:
        length, ftype, flags, cid = struct.unpack(">IBBI", buf[:10])
        frames.append((ftype, cid, buf[10:10 + length]))
        buf = buf[10 + length:]
    return frames


def test_garbage_frame_closes_only_that_connection(server, channel):
    with server.channel() as other:
        bad = _raw_tls(server)
        # A frame of an unknown type 0x47 ("GET / HTTP/1.1..." read as a frame header).
        bad.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        frames = _read_frames(bad)  # until the server closes the connection
        assert frames and frames[0][0] == 8, frames  # GOAWAY
        goaway = wire_pb2.GoAway.FromString(frames[0][2])
        assert goaway.code == 13 and goaway.message
        bad.close()
        assert other.unary(CHECK, b"") == b"\x08\x01"
        assert channel.unary(CHECK, b"") == b"\x08\x01"
        # A well-formed frame header with an unknown type, too.
        bad = _raw_tls(server)
        bad.sendall(struct.pack(">IBBI", 0, 0x42, 0, 0))
        frames = _read_frames(bad)
        assert frames and frames[0][0] == 8 and wire_pb2.GoAway.FromString(frames[0][2]).code == 13
        bad.close()
        assert other.unary(CHECK, b"") == b"\x08\x01"


def test_client_ping(channel):
    assert channel.ping() < 5


def test_wrong_ca_fails_handshake(server, tmp_path):
    import subprocess
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=other-ca", "-days", "1"],
                   check=True, capture_output=True)
    with pytest.raises(ssl.SSLCertVerificationError):
        Channel("127.0.0.1", server.port, str(cert))


def test_field_violations_decoded():
    """grpc-status-details-bin in TRAILERS (a google.rpc.Status holding a BadRequest, built here
    with googleapis-common-protos) becomes ContonError.field_violations (decoding only; the
    server's own answers are checked in test_interop.py)."""
    bad = error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="client.other_emails[1]", description="not an e-mail"),
        error_details_pb2.BadRequest.FieldViolation(field="client.address.cep", description="8 digits")])
    rich = status_pb2.Status(code=3, message="invalid request")
    rich.details.add().Pack(bad)
    st = wire_pb2.Status(code=3, message="invalid request",
                         metadata=[wire_pb2.MetadataEntry(key="k", value=b"v"),
                                   wire_pb2.MetadataEntry(key="grpc-status-details-bin", value=rich.SerializeToString())])
    call = Call(channel=None, call_id=1, method=CHECK, deadline=None, response_class=None)
    call._on_trailers(st.SerializeToString())
    with pytest.raises(ContonError) as e:
        call.result()
    err = e.value
    assert (err.code, err.code_name, err.message) == (3, "INVALID_ARGUMENT", "invalid request")
    assert err.field_violations == [("client.other_emails[1]", "not an e-mail"), ("client.address.cep", "8 digits")]
    assert err.status_details == rich
    assert err.trailing_metadata == [("k", "v"), ("grpc-status-details-bin", rich.SerializeToString())]
    assert "client.address.cep" in str(err)
    assert StatusCode.of(99) == StatusCode.UNKNOWN


def test_keepalive_pings_answered_then_idle_goaway():
    """The server pings every 200 ms; a channel answering PONGs keeps its 1.5 s call. With no
    call open it gets GOAWAY (code 0, "idle"), after which new calls are refused UNAVAILABLE."""
    srv = start_server(["--keepalive-interval-ms", "200", "--keepalive-timeout-ms", "300", "--idle-timeout-ms", "700"])
    try:
        with srv.channel() as ch:
            call = ch.server_stream(SVC + "StreamingOutputCall", t.StreamingOutputCallRequest(
                response_parameters=[t.ResponseParameters(size=3, interval_us=1_500_000)]))
            assert [len(r.payload.body) for r in call] == [3]
            deadline = time.monotonic() + 5
            while ch.goaway is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert ch.goaway is not None and ch.goaway[1] == 0 and ch.goaway[2] == "idle", ch.goaway
            with pytest.raises(ContonError) as e:
                ch.unary(CHECK, b"")
            assert e.value.code == StatusCode.UNAVAILABLE
    finally:
        stop_server(srv)


def test_graceful_shutdown_goaway_drains_in_flight_call():
    srv = start_server()
    try:
        with srv.channel() as ch:
            call = ch.server_stream(SVC + "StreamingOutputCall", t.StreamingOutputCallRequest(
                response_parameters=[t.ResponseParameters(size=5, interval_us=300_000)] * 2))
            call.initial_metadata  # the call is open on the server
            srv.proc.send_signal(signal.SIGTERM)
            assert [len(r.payload.body) for r in call] == [5, 5]
            deadline = time.monotonic() + 5
            while ch.goaway is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert ch.goaway is not None and ch.goaway[0] >= call.call_id and ch.goaway[1] == 0
            with pytest.raises(ContonError) as e:
                ch.unary(CHECK, b"")
            assert e.value.code == StatusCode.UNAVAILABLE
        assert srv.proc.wait(timeout=15) == 0
    finally:
        stop_server(srv)
