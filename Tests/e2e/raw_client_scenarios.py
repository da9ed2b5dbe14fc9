"""End-to-end scenarios against a real `conton serve --enable-test-service`, speaking the wire
protocol of docs/PROTOCOL.md with nothing but the standard library (hand-encoded protobuf), so
the protocol document itself is what is under test.

Usage: raw_client_scenarios.py BINARY  — starts the server itself on a free port in a temp dir,
runs every scenario, ends with a graceful-shutdown (SIGTERM) scenario, prints one line per
scenario and "N passed, M failed".
"""
import os
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

HEADERS, MESSAGE, HALF_CLOSE, TRAILERS, CANCEL, PING, PONG, GOAWAY = range(1, 9)
END_STREAM = 1


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, value):
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint((num << 3) | 2) + varint(len(value)) + value


def read_varint(b, i):
    value = shift = 0
    while True:
        x = b[i]
        i += 1
        value |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return value, i


def parse(b):
    """Decodes a protobuf message into {field number: [values]} (varints and length-delimited)."""
    out = {}
    i = 0
    while i < len(b):
        key, i = read_varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(b, i)
        elif wt == 2:
            n, i = read_varint(b, i)
            v = b[i:i + n]
            i += n
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


def call_headers(method, metadata=(), timeout_micros=0, idempotency_key=None):
    body = field(1, method)
    for k, v in metadata:
        body += field(2, field(1, k) + field(2, v))
    if timeout_micros:
        body += field(3, timeout_micros)
    if idempotency_key is not None:
        body += field(4, idempotency_key)
    return body


def brief(r):
    """A call's result without its message bodies, for assertion messages."""
    return {k: ([len(m) for m in v] if k == "messages" else v) for k, v in r.items()}


def entries(raw):
    """[MetadataEntry bytes] -> [(key bytes, value bytes)]."""
    return [(parse(e).get(1, [b""])[0], parse(e).get(2, [b""])[0]) for e in raw]


class Conn:
    def __init__(self, port, ca):
        ctx = ssl.create_default_context(cafile=ca)
        ctx.set_alpn_protocols(["conton/1"])
        raw = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.s = ctx.wrap_socket(raw, server_hostname="localhost")
        assert self.s.selected_alpn_protocol() == "conton/1"
        self.buf = b""
        self.next_id = 1

    def send(self, ftype, call_id, payload=b"", flags=0):
        self.s.sendall(struct.pack(">IBBI", len(payload), ftype, flags, call_id) + payload)

    def recv_frame(self):
        while len(self.buf) < 10:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        length, ftype, flags, cid = struct.unpack(">IBBI", self.buf[:10])
        while len(self.buf) < 10 + length:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        payload = self.buf[10:10 + length]
        self.buf = self.buf[10 + length:]
        return ftype, flags, cid, payload

    def open(self, method, message=None, metadata=(), timeout_micros=0, end=True, idempotency_key=None):
        cid = self.next_id
        self.next_id += 2
        self.send(HEADERS, cid, call_headers(method, metadata, timeout_micros, idempotency_key))
        if message is not None:
            self.send(MESSAGE, cid, message, END_STREAM if end else 0)
        return cid

    def collect(self, cids):
        """Reads until every call in cids has TRAILERS: {cid: (messages, status_code, message, trailers)}."""
        pending = set(cids)
        results = {c: {"messages": [], "headers": None} for c in cids}
        while pending:
            f = self.recv_frame()
            if f is None:
                raise EOFError("connection closed with calls pending: %s" % sorted(pending))
            ftype, _, cid, payload = f
            if cid not in results:
                continue
            if ftype == HEADERS:
                results[cid]["headers"] = parse(payload)
            elif ftype == MESSAGE:
                results[cid]["messages"].append(payload)
            elif ftype == TRAILERS:
                st = parse(payload)
                results[cid]["code"] = st.get(1, [0])[0]
                results[cid]["message"] = st.get(2, [b""])[0].decode()
                results[cid]["trailers"] = st.get(4, [])
                pending.discard(cid)
        return results

    def unary(self, method, message=b"", **kw):
        cid = self.open(method, message, **kw)
        return self.collect([cid])[cid]

    def until_pong(self):
        """Sends a PING and returns every frame that arrives before its PONG."""
        token = os.urandom(8)
        self.send(PING, 0, token)
        before = []
        while True:
            f = self.recv_frame()
            if f is None:
                raise EOFError("connection closed before the PONG; frames: %r" % before)
            if f == (PONG, 0, 0, token):
                return before
            before.append(f)

    def until_closed(self):
        """Every frame until the server closes the connection."""
        frames = []
        while True:
            f = self.recv_frame()
            if f is None:
                return frames
            frames.append(f)


def start_server(binary, data, extra=()):
    port_probe = socket.socket(); port_probe.bind(("127.0.0.1", 0)); port = port_probe.getsockname()[1]; port_probe.close()
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--listen", "127.0.0.1:%d" % port, "--enable-test-service", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = ""
    while "listening on" not in line:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("server exited: " + proc.stderr.read())
    assert line.strip() == "listening on 127.0.0.1:%d" % port, line
    # The call log goes to stderr: drain it, or a full pipe would stall the server.
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, port


def main():
    binary = sys.argv[1]
    data = tempfile.mkdtemp(prefix="conton-e2e-")
    proc, port = start_server(binary, data)
    ca = os.path.join(data, "tls", "ca.pem")
    results = []

    def scenario(fn):
        try:
            fn()
            results.append((fn.__name__, None))
        except Exception as e:  # noqa: BLE001 — report every scenario
            results.append((fn.__name__, repr(e)))

    def health_check_serving():
        r = Conn(port, ca).unary("conton.health.v1.Health/Check", b"")
        assert r["code"] == 0, r
        assert r["messages"] == [field(1, 1)], r

    def health_check_unknown_service_not_found():
        r = Conn(port, ca).unary("conton.health.v1.Health/Check", field(1, "nope.Service"))
        assert r["code"] == 5, r

    def unimplemented_method_and_service():
        c = Conn(port, ca)
        assert c.unary("conton.testing.v1.TestService/UnimplementedCall")["code"] == 12
        assert c.unary("conton.testing.v1.UnimplementedService/UnimplementedCall")["code"] == 12
        assert c.unary("no.such.Service/Method")["code"] == 12

    def large_unary():
        req = field(1, 314159) + field(2, field(1, b"\0" * 271828))
        r = Conn(port, ca).unary("conton.testing.v1.TestService/UnaryCall", req)
        assert r["code"] == 0, r
        body = parse(parse(r["messages"][0])[1][0])[1][0]
        assert len(body) == 314159

    def client_streaming():
        c = Conn(port, ca)
        cid = c.open("conton.testing.v1.TestService/StreamingInputCall")
        for n in (27182, 8, 1828, 45904):
            c.send(MESSAGE, cid, field(1, field(1, b"\0" * n)))
        c.send(HALF_CLOSE, cid)
        r = c.collect([cid])[cid]
        assert r["code"] == 0 and parse(r["messages"][0])[1][0] == 74922, r

    def server_streaming():
        req = b"".join(field(1, field(1, n)) for n in (31415, 9, 2653, 58979))
        r = Conn(port, ca).unary("conton.testing.v1.TestService/StreamingOutputCall", req)
        sizes = [len(parse(parse(m)[1][0]).get(1, [b""])[0]) for m in r["messages"]]
        assert r["code"] == 0 and sizes == [31415, 9, 2653, 58979], (r["code"], sizes)

    def ping_pong_bidi():
        c = Conn(port, ca)
        cid = c.open("conton.testing.v1.TestService/FullDuplexCall")
        for n in (31415, 9, 2653, 58979):
            c.send(MESSAGE, cid, field(1, field(1, n)))
            while True:
                ftype, _, fcid, payload = c.recv_frame()
                if ftype == MESSAGE:
                    assert len(parse(parse(payload)[1][0]).get(1, [b""])[0]) == n
                    break
        c.send(HALF_CLOSE, cid)
        assert c.collect([cid])[cid]["code"] == 0

    def metadata_echo():
        r = Conn(port, ca).unary("conton.testing.v1.TestService/UnaryCall", field(1, 1),
                                 metadata=[("x-grpc-test-echo-initial", b"test_initial_metadata_value"),
                                           ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")])
        assert r["code"] == 0, r
        initial = [parse(e) for e in r["headers"][2]]
        assert any(e[1][0] == b"x-grpc-test-echo-initial" and e[2][0] == b"test_initial_metadata_value" for e in initial), initial
        trailing = [parse(e) for e in r["trailers"]]
        assert any(e[1][0] == b"x-grpc-test-echo-trailing-bin" and e[2][0] == b"\xab\xab\xab" for e in trailing), trailing

    def status_code_and_message():
        msg = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        r = Conn(port, ca).unary("conton.testing.v1.TestService/UnaryCall", field(3, field(1, 2) + field(2, msg)))
        assert r["code"] == 2 and r["message"] == msg, r

    def hundred_concurrent_calls_on_one_connection():
        c = Conn(port, ca)
        cids = [c.open("conton.testing.v1.TestService/UnaryCall", field(1, 64)) for _ in range(100)]
        rs = c.collect(cids)
        assert all(r["code"] == 0 and len(r["messages"]) == 1 for r in rs.values())

    def deadline_exceeded():
        c = Conn(port, ca)
        req = field(1, field(1, 1) + field(2, 5_000_000))
        cid = c.open("conton.testing.v1.TestService/FullDuplexCall", req, end=False, timeout_micros=200_000)
        t = time.time()
        r = c.collect([cid])[cid]
        assert r["code"] == 4, r
        assert time.time() - t < 3
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0

    def cancel_reaches_server_and_connection_goes_on():
        c = Conn(port, ca)
        req = field(1, field(1, 1) + field(2, 5_000_000))
        cid = c.open("conton.testing.v1.TestService/FullDuplexCall", req, end=False)
        time.sleep(0.1)
        c.send(CANCEL, cid)
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0

    def oversized_message_resource_exhausted():
        c = Conn(port, ca)
        cid = c.open("conton.testing.v1.TestService/UnaryCall")
        c.send(MESSAGE, cid, b"\0" * (4 * 1024 * 1024 + 1), END_STREAM)
        r = c.collect([cid])[cid]
        assert r["code"] == 8, r
        assert (b"conton-max-message-bytes", b"4194304") in entries(r["trailers"]), r
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0

    def too_many_concurrent_calls():
        c = Conn(port, ca)
        req = field(1, field(1, 1) + field(2, 3_000_000))
        for _ in range(100):
            c.open("conton.testing.v1.TestService/FullDuplexCall", req, end=False)
        extra = c.open("conton.health.v1.Health/Check", b"")
        r = c.collect([extra])[extra]
        assert r["code"] == 8, r

    def garbage_closes_only_that_connection():
        good = Conn(port, ca)
        bad = Conn(port, ca)
        bad.s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        f = bad.recv_frame()
        assert f is not None and f[0] == GOAWAY, f
        assert parse(f[3])[2][0] == 13
        assert bad.recv_frame() is None  # closed
        assert good.unary("conton.health.v1.Health/Check")["code"] == 0
        assert Conn(port, ca).unary("conton.health.v1.Health/Check")["code"] == 0

    def ping_answered():
        c = Conn(port, ca)
        c.send(PING, 0, b"12345678")
        assert c.recv_frame() == (PONG, 0, 0, b"12345678")

    def hex_dump_of_protocol_md_is_answered():
        # The exact bytes of docs/PROTOCOL.md section 10.
        c = Conn(port, ca)
        hdrs = bytes.fromhex("0a1d636f6e746f6e2e6865616c74682e76312e4865616c74682f436865636b121d0a0d617574686f72697a6174696f6e120c42656172657220"
                             "74306b336e18c096b102")
        c.s.sendall(struct.pack(">IBBI", len(hdrs), 1, 0, 1) + hdrs + bytes.fromhex("00000000020100000001"))
        r = c.collect([1])[1]
        assert r["code"] == 0 and r["messages"] == [b"\x08\x01"], r

    def graceful_shutdown_drains_in_flight_call():
        c = Conn(port, ca)
        req = field(1, field(1, 7) + field(2, 700_000))
        cid = c.open("conton.testing.v1.TestService/StreamingOutputCall", req)
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        frames = []
        while True:
            f = c.recv_frame()
            if f is None:
                break
            frames.append(f)
        kinds = [f[0] for f in frames]
        assert GOAWAY in kinds, kinds
        ga = parse(frames[kinds.index(GOAWAY)][3])
        assert ga.get(1, [0])[0] == cid and ga.get(2, [0])[0] == 0 and ga[3][0] == b"server shutting down", ga
        trailers = [f for f in frames if f[0] == TRAILERS]
        assert trailers and parse(trailers[0][3]).get(1, [0])[0] == 0, frames
        assert any(f[0] == MESSAGE for f in frames)
        assert proc.wait(timeout=15) == 0

    def keepalive_and_idle_timeouts():
        kdata = tempfile.mkdtemp(prefix="conton-e2e-ka-")
        kproc, kport = start_server(binary, kdata,
                                    ["--keepalive-interval-ms", "200", "--keepalive-timeout-ms", "300", "--idle-timeout-ms", "600"])
        kca = os.path.join(kdata, "tls", "ca.pem")
        try:
            # A peer that answers PINGs keeps its connection while a call is open.
            polite = Conn(kport, kca)
            req = field(1, field(1, 1) + field(2, 1_500_000))
            cid = polite.open("conton.testing.v1.TestService/FullDuplexCall", req, end=False)
            pings = 0
            deadline = time.time() + 1.2
            while time.time() < deadline:
                f = polite.recv_frame()
                assert f is not None, "polite peer was disconnected"
                if f[0] == PING:
                    pings += 1
                    polite.send(PONG, 0, f[3])
                if f[0] == MESSAGE and f[2] == cid:
                    break
            assert pings >= 2, pings
            # A peer that never answers is closed within interval + timeout.
            rude = Conn(kport, kca)
            rude.open("conton.testing.v1.TestService/FullDuplexCall", req, end=False)
            t = time.time()
            while rude.recv_frame() is not None:
                pass
            assert time.time() - t < 2.0, time.time() - t
            # A connection with no call gets GOAWAY "idle" (code 0) and is closed.
            idle = Conn(kport, kca)
            t = time.time()
            frames = []
            while True:
                f = idle.recv_frame()
                if f is None:
                    break
                if f[0] == PING:
                    idle.send(PONG, 0, f[3])
                frames.append(f)
            goaways = [parse(f[3]) for f in frames if f[0] == GOAWAY]
            assert goaways and goaways[0].get(2, [0])[0] == 0 and goaways[0][3][0] == b"idle", frames
            assert 0.5 < time.time() - t < 3, time.time() - t
        finally:
            kproc.kill()

    def cli_call_list_and_errors():
        def cli(*args, stdin=""):
            r = subprocess.run([binary, *args[:1], "--addr", "127.0.0.1:%d" % port, "--data-dir", data, *args[1:]],
                               input=stdin, capture_output=True, text=True, timeout=30)
            return r.returncode, r.stdout, r.stderr
        code, out, err = cli("call", "conton.health.v1.Health/Check", "{}")
        assert code == 0 and out == '{"status":"SERVING"}\n', (code, out, err)
        code, out, _ = cli("list")
        # Every service of the built-in plugins and the test service, sorted.
        assert out.split() == ["conton.agenda.v1.Agenda", "conton.attendances.v1.Attendances", "conton.audit.v1.Audit", "conton.billing.v1.Billing", "conton.clients.v1.Clients", "conton.documents.v1.Documents", "conton.fees.v1.Fees",
                               "conton.fees.v1.Receivables", "conton.files.v1.Files", "conton.health.v1.Health",
                               "conton.identity.v1.Identity", "conton.identity.v1.ServiceAccounts", "conton.identity.v1.Users", "conton.notifications.v1.Notifications",
                               "conton.office.v1.Office", "conton.payments.v1.Payables", "conton.payments.v1.Suppliers", "conton.protocols.v1.Protocols",
                               "conton.reflection.v1.Reflection", "conton.requests.v1.Requests", "conton.testing.v1.TestService"], out
        code, out, err = cli("call", "conton.testing.v1.TestService/UnaryCall", '{"responseStatus":{"code":3,"message":"bad"}}')
        assert code == 1 and err.startswith("ERROR INVALID_ARGUMENT (3): bad"), (code, err)
        code, out, err = cli("call", "conton.testing.v1.TestService/StreamingInputCall", "-",
                             stdin='{"payload":{"body":"AAAA"}}\n{"payload":{"body":"AAA="}}\n')
        assert code == 0 and out == '{"aggregatedPayloadSize":5}\n', (code, out, err)
        code, out, err = cli("call", "conton.testing.v1.TestService/StreamingOutputCall", '{"responseParameters":[{"size":2},{"size":1}]}')
        assert out.splitlines() == ['{"payload":{"body":"AAA="}}', '{"payload":{"body":"AA=="}}'], out
        code, out, err = cli("describe", "conton.health.v1.HealthCheckResponse")
        assert out.splitlines() == ["message conton.health.v1.HealthCheckResponse {",
                                    "  conton.health.v1.HealthCheckResponse.ServingStatus status = 1;", "}"], out
        code, out, err = cli("describe", "conton.health.v1.Health/Watch")
        assert out.strip() == "rpc conton.health.v1.Health/Watch(conton.health.v1.HealthCheckRequest) returns (stream conton.health.v1.HealthCheckResponse)", out
        code, out, err = cli("call", "conton.testing.v1.TestService/UnaryCall", '{"nope":1}')
        assert code == 1 and err.startswith("ERROR INVALID_ARGUMENT (3)") and "nope" in err, err

    def c_reference_client():
        exe = os.environ.get("CONTON_C_CLIENT")
        assert exe and os.path.exists(exe), "set CONTON_C_CLIENT to clients/c/build/conton_health"
        r = subprocess.run([exe, "127.0.0.1", str(port), ca], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and r.stdout == "SERVING\n", (r.returncode, r.stdout, r.stderr)
        # Errors with the rich error model's details (grpc-status-details-bin), decoded by the C
        # client with protoc-c's google.rpc messages: the resource asked for, a bad field.
        r = subprocess.run([exe, "127.0.0.1", str(port), ca, "no.such.Service"], capture_output=True, text=True, timeout=30)
        assert r.returncode == 1 and r.stdout.splitlines() == [
            "ERROR 5: unknown service 'no.such.Service'", "  resource: service no.such.Service"], (r.returncode, r.stdout, r.stderr)
        r = subprocess.run([exe.encode(), b"127.0.0.1", str(port).encode(), ca.encode(), b"caf\xe9"], capture_output=True, timeout=30)
        assert r.returncode == 1 and r.stdout.decode().splitlines() == [
            "ERROR 3: service: must be valid UTF-8", "  service: must be valid UTF-8"], (r.returncode, r.stdout, r.stderr)
        # A CA that did not sign the server certificate: verification fails, nothing is sent.
        r = subprocess.run([exe, "127.0.0.1", str(port), "/etc/ssl/certs/ca-certificates.crt"], capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and "certificate verify failed" in r.stderr, (r.returncode, r.stderr)

    def write_backpressure_bounds_server_memory():
        def rss_kib():
            with open("/proc/%d/status" % proc.pid) as f:
                return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])
        c = Conn(port, ca)
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        before = rss_kib()
        # 400 responses of 256 KiB = 100 MiB, while the client reads nothing for 2 s.
        req = b"".join(field(1, field(1, 256 * 1024)) for _ in range(400))
        cid = c.open("conton.testing.v1.TestService/StreamingOutputCall", req)
        time.sleep(2)
        grown_mib = (rss_kib() - before) / 1024
        assert grown_mib < 40, "server RSS grew by %.1f MiB while the client was not reading" % grown_mib
        r = c.collect([cid])[cid]
        assert r["code"] == 0 and len(r["messages"]) == 400, (r.get("code"), len(r["messages"]))

    # --- The wire contract, point by point (docs/PROTOCOL.md) -----------------------------------

    UNARY = "conton.testing.v1.TestService/UnaryCall"
    SERVER_STREAMING = "conton.testing.v1.TestService/StreamingOutputCall"
    BIDI = "conton.testing.v1.TestService/FullDuplexCall"

    def single_request_answered_only_after_half_close():
        # §3: a MESSAGE without END_STREAM is not yet a request; the deadline comes first.
        c = Conn(port, ca)
        for method, req in ((UNARY, field(1, 3)), (SERVER_STREAMING, field(1, field(1, 3))),
                            ("conton.health.v1.Health/Check", b"")):
            r = c.unary(method, req, end=False, timeout_micros=300_000)
            assert r["code"] == 4 and r["messages"] == [] and r["headers"] is None, (method, r)
        # The same request, then HALF_CLOSE: answered.
        cid = c.open(UNARY, field(1, 3), end=False)
        c.send(HALF_CLOSE, cid)
        r = c.collect([cid])[cid]
        assert r["code"] == 0 and len(r["messages"]) == 1, r

    def second_request_message_is_internal():
        # §3: a unary or server-streaming method takes exactly one request MESSAGE.
        c = Conn(port, ca)
        for method, req in ((UNARY, field(1, 3)), (SERVER_STREAMING, field(1, field(1, 3))),
                            ("conton.health.v1.Health/Check", b"")):
            cid = c.open(method, req, end=False)
            c.send(MESSAGE, cid, req, END_STREAM)
            r = c.collect([cid])[cid]
            assert r["code"] == 13 and "exactly one request message; got a second" in r["message"], (method, brief(r))
            assert r["messages"] == [], brief(r)
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0  # the connection goes on

    def half_close_without_request_is_internal():
        c = Conn(port, ca)
        for method in (UNARY, SERVER_STREAMING, "conton.health.v1.Health/Check"):
            cid = c.open(method)
            c.send(HALF_CLOSE, cid)
            r = c.collect([cid])[cid]
            assert r["code"] == 13 and "got none before HALF_CLOSE" in r["message"], (method, r)
        # A client-streaming method may take zero messages.
        cid = c.open("conton.testing.v1.TestService/StreamingInputCall")
        c.send(HALF_CLOSE, cid)
        r = c.collect([cid])[cid]
        assert r["code"] == 0, r

    def frames_after_half_close_are_internal():
        # §3: nothing follows HALF_CLOSE; the call (not the connection) ends with INTERNAL at once,
        # although its handler would have answered only after 30 s.
        c = Conn(port, ca)
        slow = field(1, field(1, 1) + field(2, 30_000_000))
        cid = c.open(BIDI, slow)  # MESSAGE + END_STREAM
        c.send(MESSAGE, cid, slow)
        t = time.time()
        r = c.collect([cid])[cid]
        assert r["code"] == 13 and r["message"] == "MESSAGE after HALF_CLOSE", r
        cid = c.open(BIDI, slow, end=False)
        c.send(HALF_CLOSE, cid)
        c.send(HALF_CLOSE, cid)
        r = c.collect([cid])[cid]
        assert r["code"] == 13 and r["message"] == "HALF_CLOSE after HALF_CLOSE", r
        assert time.time() - t < 10
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0

    def frames_for_ended_calls_are_ignored():
        # §3: MESSAGE, HALF_CLOSE and CANCEL for a call the server has ended get nothing back.
        c = Conn(port, ca)
        done = c.open("conton.health.v1.Health/Check", b"")
        assert c.collect([done])[done]["code"] == 0
        refused = c.open("conton.health.v1.Health/Check", metadata=[("Bad Key", b"v")])
        assert c.collect([refused])[refused]["code"] == 3
        for cid in (done, refused):
            c.send(MESSAGE, cid, b"", END_STREAM)
            c.send(MESSAGE, cid, b"")
            c.send(HALF_CLOSE, cid)
            c.send(CANCEL, cid)
        assert c.until_pong() == []
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0

    def response_over_the_limit_is_resource_exhausted():
        # §8: responses have a limit too (default 4 MiB); the trailers say it.
        c = Conn(port, ca)
        limit = 4 * 1024 * 1024
        # SimpleResponse{payload{body: n bytes}} encodes to n + 10 bytes here.
        r = c.unary(UNARY, field(1, limit - 10))
        assert r["code"] == 0 and [len(m) for m in r["messages"]] == [limit], brief(r)
        r = c.unary(UNARY, field(1, limit - 9))
        assert r["code"] == 8 and r["messages"] == [] and "exceeds the limit of 4194304" in r["message"], brief(r)
        assert (b"conton-max-message-bytes", b"4194304") in entries(r["trailers"]), brief(r)
        r = c.unary(SERVER_STREAMING, field(1, field(1, 5)) + field(1, field(1, limit)))
        assert r["code"] == 8 and len(r["messages"]) == 1, brief(r)
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0

    def request_metadata_rules():
        # §4: refused at HEADERS, before any handler runs (no MESSAGE is even sent), naming the key.
        c = Conn(port, ca)
        refused = [
            ([("Authorization", b"Bearer x")], '"Authorization"'),
            ([("x-ok", b"1"), ("", b"v")], "metadata entry 1 has an empty key"),
            ([("x key", b"v")], '"x key"'),
            ([("x-n\xe3o", b"v")], '"x-n\\xC3\\xA3o"'),
            ([("x-note", b"line\nbreak")], '"x-note": a text value must be printable ASCII'),
            ([("x-note", "olá".encode())], '"x-note": a text value must be printable ASCII'),
            ([("grpc-timeout", b"1S")], "timeout_micros"),
            ([("grpc-previous-rpc-attempts", b"1")], "'grpc-' prefix is reserved"),
            ([("conton-max-message-bytes", b"1")], "'conton-' prefix is reserved"),
        ]
        for metadata, named in refused:
            cid = c.open("conton.health.v1.Health/Check", metadata=metadata)
            r = c.collect([cid])[cid]
            assert r["code"] == 3 and named in r["message"], (metadata, r)
        cid = c.open("conton.health.v1.Health/Check", idempotency_key="k\x01")
        r = c.collect([cid])[cid]
        assert r["code"] == 3 and "idempotency_key" in r["message"], r
        ok = [("x-note", b" printable ASCII ~ only "), ("x-note-bin", b"\x00\xff\n\xe3"), ("x.y_z-0", b"")]
        assert c.unary("conton.health.v1.Health/Check", metadata=ok)["code"] == 0

    def initial_metadata_of_a_failed_call():
        # §4: never merged into the trailers. A handler that fails before answering sends no
        # HEADERS ("trailers-only"); one that fails after it has started answering sent them.
        c = Conn(port, ca)
        echo = [("x-grpc-test-echo-initial", b"first"), ("x-grpc-test-echo-trailing-bin", b"\x01\x02")]
        r = c.unary(UNARY, field(3, field(1, 9) + field(2, "no")), metadata=echo)
        assert r["code"] == 9 and r["headers"] is None, r
        assert entries(r["trailers"]) == [(b"x-grpc-test-echo-trailing-bin", b"\x01\x02")], r
        r = c.unary(SERVER_STREAMING, field(1, field(1, 2)) + field(3, field(1, 9) + field(2, "no")), metadata=echo)
        assert r["code"] == 9 and len(r["messages"]) == 1, r
        assert entries(r["headers"].get(2, [])) == [(b"x-grpc-test-echo-initial", b"first")], r
        assert entries(r["trailers"]) == [(b"x-grpc-test-echo-trailing-bin", b"\x01\x02")], r

    def public_methods_need_no_credentials():
        # §4: every served method, called without credentials, is refused UNAUTHENTICATED
        # before its handler runs, except the public ones the page lists.
        c = Conn(port, ca)
        listing = c.unary("conton.reflection.v1.Reflection/ListServices")
        assert listing["code"] == 0, listing
        methods = [parse(m)[2][0].decode() for svc in parse(listing["messages"][0])[1] for m in parse(svc).get(2, [])]
        assert len(methods) > 40, methods
        public = []
        for method in methods:
            cid = c.open(method, b"")
            while True:
                ftype, _, fcid, payload = c.recv_frame()
                if fcid == cid:
                    break
            st = parse(payload) if ftype == TRAILERS else {}
            if st.get(1, [0])[0] == 16 and st.get(2, [b""])[0].decode().endswith("requires signing in"):
                continue
            public.append(method)
            if ftype != TRAILERS:
                c.send(CANCEL, cid)
        expected = ["conton.agenda.v1.Agenda/GetCalendarFeed", "conton.documents.v1.Documents/VerifyDocument", "conton.health.v1.Health/Check", "conton.health.v1.Health/Watch",
                    "conton.identity.v1.Identity/ActivateAccount", "conton.identity.v1.Identity/Login",
                    "conton.identity.v1.Identity/RequestPasswordReset", "conton.identity.v1.Identity/ResetPassword",
                    "conton.reflection.v1.Reflection/GetFileDescriptorSet", "conton.reflection.v1.Reflection/ListServices"]
        expected += ["conton.testing.v1.TestService/" + m for m in
                     ("EmptyCall", "FullDuplexCall", "StreamingInputCall", "StreamingOutputCall", "UnaryCall", "UnimplementedCall")]
        assert sorted(public) == sorted(expected), sorted(public)

    def client_goaway_finishes_open_calls_then_closes():
        # §6: a client's GOAWAY: it opens no more calls; its open calls go on; then the server closes.
        c = Conn(port, ca)
        cid = c.open(BIDI)
        c.send(GOAWAY, 0, field(1, cid))
        late = c.open("conton.health.v1.Health/Check", b"")  # breaks its own promise: not started
        r = c.collect([late])[late]
        assert r["code"] == 14, r
        c.send(MESSAGE, cid, field(1, field(1, 3)))
        c.send(HALF_CLOSE, cid)
        r = c.collect([cid])[cid]
        assert r["code"] == 0 and len(r["messages"]) == 1, r
        assert c.until_closed() == []
        idle = Conn(port, ca)
        idle.send(GOAWAY, 0, b"")
        assert idle.until_closed() == []

    def call_ids_run_out():
        # §3: 0xFFFFFFFF is the last call id of a connection; anything after it is a protocol error.
        c = Conn(port, ca)
        c.next_id = 0xFFFFFFFF
        assert c.unary("conton.health.v1.Health/Check")["code"] == 0
        c.send(HEADERS, 5, call_headers("conton.health.v1.Health/Check"))
        frames = c.until_closed()
        assert [f[0] for f in frames] == [GOAWAY], frames
        ga = parse(frames[0][3])
        assert ga.get(1, [0])[0] == 0xFFFFFFFF and ga.get(2, [0])[0] == 13, ga
        assert ga[3][0].startswith(b"protocol violation: ") and b"not above 4294967295" in ga[3][0], ga

    def sigint_goaway_then_grace_period_cuts_off():
        # §6: SIGINT as SIGTERM: GOAWAY code 0, no new call or connection, the open ones get the
        # grace period (here 500 ms), then the connection is closed under them.
        sdata = tempfile.mkdtemp(prefix="conton-e2e-int-")
        sproc, sport = start_server(binary, sdata, ["--shutdown-grace-ms", "500"])
        sca = os.path.join(sdata, "tls", "ca.pem")
        try:
            c = Conn(sport, sca)
            cid = c.open(BIDI, field(1, field(1, 1) + field(2, 30_000_000)), end=False)
            assert c.recv_frame()[:3] == (HEADERS, 0, cid)  # its handler is running
            t = time.time()
            sproc.send_signal(signal.SIGINT)
            f = c.recv_frame()
            assert f[0] == GOAWAY, f
            ga = parse(f[3])
            assert ga.get(1, [0])[0] == cid and ga.get(2, [0])[0] == 0 and ga[3][0] == b"server shutting down", ga
            late = c.open("conton.health.v1.Health/Check", b"")
            rest = c.until_closed()
            assert [(f[0], f[2]) for f in rest] == [(TRAILERS, late)] and parse(rest[0][3])[1][0] == 14, rest
            assert time.time() - t < 5, time.time() - t
            try:
                Conn(sport, sca)
                raise AssertionError("a new connection was accepted during shutdown")
            except (ConnectionRefusedError, ssl.SSLError, ConnectionResetError, AssertionError) as e:
                if isinstance(e, AssertionError) and "accepted" in str(e):
                    raise
            assert sproc.wait(timeout=15) == 0
        finally:
            if sproc.poll() is None:
                sproc.kill()

    for fn in (health_check_serving, write_backpressure_bounds_server_memory, c_reference_client, cli_call_list_and_errors, keepalive_and_idle_timeouts, health_check_unknown_service_not_found, unimplemented_method_and_service,
               large_unary, client_streaming, server_streaming, ping_pong_bidi, metadata_echo,
               status_code_and_message, hundred_concurrent_calls_on_one_connection, deadline_exceeded,
               cancel_reaches_server_and_connection_goes_on, oversized_message_resource_exhausted,
               too_many_concurrent_calls, garbage_closes_only_that_connection, ping_answered,
               hex_dump_of_protocol_md_is_answered, single_request_answered_only_after_half_close,
               second_request_message_is_internal, half_close_without_request_is_internal,
               frames_after_half_close_are_internal, frames_for_ended_calls_are_ignored,
               response_over_the_limit_is_resource_exhausted, request_metadata_rules,
               initial_metadata_of_a_failed_call, public_methods_need_no_credentials,
               client_goaway_finishes_open_calls_then_closes, call_ids_run_out,
               sigint_goaway_then_grace_period_cuts_off, graceful_shutdown_drains_in_flight_call):
        scenario(fn)
    if proc.poll() is None:
        proc.kill()
    for name, err in results:
        print(("PASS " if err is None else "FAIL ") + name + ("" if err is None else ": " + err))
    failed = sum(1 for _, e in results if e)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    sys.exit(1 if failed else 0)


main()
