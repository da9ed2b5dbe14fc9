"""One TLS connection to a ContOn server carrying many concurrent calls (docs/PROTOCOL.md).

Threads: a reader thread decrypts what arrives, splits it into frames and hands each to its call;
a writer thread sends what the callers encrypted. TLS runs over memory BIOs under one lock, so
the one ``ssl.SSLObject`` is never used by two threads at once, and ciphertext leaves in the
order it was made (which is also what keeps call ids strictly increasing on the wire).
"""
import collections
import os
import socket
import ssl
import struct
import sys
import threading
import time

from google.protobuf import message as _pb_message

from .errors import ContonError, StatusCode
from .gen.conton.rpc.v1 import wire_pb2

ALPN = "conton/1"

HEADERS, MESSAGE, HALF_CLOSE, TRAILERS, CANCEL, PING, PONG, GOAWAY = range(1, 9)
END_STREAM = 0x01
_HEADER = struct.Struct(">IBBI")
_CALL_FRAMES = (HEADERS, MESSAGE, HALF_CLOSE, TRAILERS, CANCEL)

# Callers sending messages wait while more than this much ciphertext is queued for the socket.
_MAX_QUEUED_BYTES = 8 * 1024 * 1024


def _frame(ftype, call_id, payload=b"", flags=0):
    return _HEADER.pack(len(payload), ftype, flags, call_id) + payload


def _encode(message):
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    if isinstance(message, _pb_message.Message):
        return message.SerializeToString()
    raise TypeError("a request message must be bytes or a protobuf message, not %s" % type(message).__name__)


_RESERVED_PREFIXES = ("grpc-", "conton-")
_LAST_CALL_ID = 0xFFFFFFFF


_USER_AGENT = ("conton-python/0.1.0 (Python %d.%d)" % sys.version_info[:2]).encode()


def _metadata_entries(metadata):
    """[(key, value)] or a dict -> [MetadataEntry], checked against docs/PROTOCOL.md §4 (the
    server refuses the call otherwise): keys lower-case ASCII [0-9a-z_.-], not starting with the
    reserved "grpc-"/"conton-"; str values printable ASCII (0x20-0x7E); bytes under "-bin" keys."""
    if metadata is None:
        return []
    items = metadata.items() if isinstance(metadata, dict) else metadata
    out = []
    for key, value in items:
        if not key or key != key.lower() or any(not (c.isascii() and (c.isalnum() or c in "_.-")) for c in key):
            raise ValueError("invalid metadata key %r: lower-case ASCII [0-9a-z_.-] only" % key)
        if key.startswith(_RESERVED_PREFIXES):
            raise ValueError("metadata key %r: the grpc-/conton- prefixes are reserved (a deadline is timeout=)" % key)
        if isinstance(value, str):
            value = value.encode("utf-8")
        value = bytes(value)
        if not key.endswith("-bin") and any(b < 0x20 or b > 0x7E for b in value):
            raise ValueError("metadata %r: a text value must be printable ASCII; bytes go under a key ending in -bin" % key)
        out.append(wire_pb2.MetadataEntry(key=key, value=value))
    return out


def _metadata_pairs(entries):
    """[MetadataEntry] -> [(key, value)]: bytes for "-bin" keys, str for the others."""
    out = []
    for e in entries:
        if e.key.endswith("-bin"):
            out.append((e.key, bytes(e.value)))
        else:
            out.append((e.key, e.value.decode("utf-8", "replace")))
    return out


_GEN_MODULES = ("rpc.v1.wire", "health.v1.health", "testing.v1.test", "testing.v1.kinds",
                "reflection.v1.reflection", "example.v1.notes")
_output_classes = {}
_output_lock = threading.Lock()


def _message_class(descriptor):
    try:
        from google.protobuf.message_factory import GetMessageClass  # protobuf >= 4.22
        return GetMessageClass(descriptor)
    except ImportError:
        from google.protobuf import symbol_database
        return symbol_database.Default().GetPrototype(descriptor)


def output_class(method):
    """The response message class of ``package.Service/Method`` from the default descriptor pool
    (every generated conton module is loaded first), or None when the method is not known."""
    with _output_lock:
        if method in _output_classes:
            return _output_classes[method]
        import importlib

        from google.protobuf import descriptor_pool

        for m in _GEN_MODULES:
            importlib.import_module("conton_client.gen.conton.%s_pb2" % m)
        cls = None
        service, _, name = method.partition("/")
        try:
            sd = descriptor_pool.Default().FindServiceByName(service)
            md = sd.FindMethodByName(name) if sd is not None else None
            if md is not None:
                cls = _message_class(md.output_type)
        except KeyError:
            cls = None
        _output_classes[method] = cls
        return cls


class Call:
    """One call: iterate it for its responses (streaming kinds), ``result()`` for the single
    response (unary, client streaming), ``send()``/``done_writing()`` for requests (client and
    bidirectional streaming), ``cancel()`` to abandon it.

    ``initial_metadata`` waits for the server's HEADERS (or its first message, or the end of the
    call); ``trailing_metadata``, ``code`` and ``details`` wait for the end of the call. Metadata
    is a list of ``(key, value)``, bytes values for ``-bin`` keys and str for the others.
    """

    def __init__(self, channel, call_id, method, deadline, response_class):
        self._channel = channel
        self.call_id = call_id
        self.method = method
        self._deadline = deadline
        self._response_class = response_class  # None: decide from what was sent
        self._typed = False
        self._cond = threading.Condition()
        self._messages = collections.deque()
        self._initial = None
        self._status = None  # ContonError (code 0 for OK)
        self._half_closed = False

    # --- fed by the channel's reader thread -------------------------------------------------

    def _on_headers(self, payload):
        h = wire_pb2.CallHeaders.FromString(payload)
        with self._cond:
            if self._initial is None:
                self._initial = _metadata_pairs(h.metadata)
            self._cond.notify_all()

    def _on_message(self, payload):
        with self._cond:
            if self._status is not None:
                return
            if self._initial is None:
                self._initial = []
            self._messages.append(payload)
            self._cond.notify_all()

    def _on_trailers(self, payload):
        st = wire_pb2.Status.FromString(payload)
        # Field violations and the other details come from grpc-status-details-bin (ContonError).
        self._finish(ContonError(st.code, StatusCode.of(st.code).name, st.message,
                                 trailing_metadata=_metadata_pairs(st.metadata)))

    def _finish(self, status):
        """Ends the call with ``status``; False when it had already ended."""
        with self._cond:
            if self._status is not None:
                return False
            if self._initial is None:
                self._initial = []
            status.initial_metadata = list(self._initial)
            self._status = status
            self._cond.notify_all()
            return True

    # --- waiting ----------------------------------------------------------------------------

    def _wait(self, ready):
        """Waits (holding self._cond) until ready() or the call's end; enforces the deadline."""
        while not ready() and self._status is None:
            if self._deadline is None:
                self._cond.wait()
                continue
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                self._cond.release()
                try:
                    self._abandon(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded (client)")
                finally:
                    self._cond.acquire()
            else:
                self._cond.wait(remaining)

    def _abandon(self, code, message):
        if self._finish(ContonError(code, code.name, message)):
            self._channel._forget(self.call_id)
            try:
                self._channel._send([_frame(CANCEL, self.call_id)], block=False)
            except ContonError:
                pass  # connection gone: nothing to cancel
            return True
        return False

    def _parse(self, payload):
        cls = self._response_class
        if cls is None and self._typed:
            cls = output_class(self.method)
        if cls is None or cls is bytes:
            return payload
        return cls.FromString(payload)

    # --- public -----------------------------------------------------------------------------

    def __iter__(self):
        return self

    def __next__(self):
        with self._cond:
            self._wait(lambda: bool(self._messages))
            if self._messages:
                payload = self._messages.popleft()
            else:
                if self._status.code == 0:
                    raise StopIteration
                raise self._status
        return self._parse(payload)

    def result(self):
        """The single response of a unary or client-streaming call, once the call has ended OK."""
        with self._cond:
            self._wait(lambda: False)
            if self._status.code != 0:
                raise self._status
            if not self._messages:
                raise ContonError(StatusCode.INTERNAL, None, "call ended OK without a response message",
                                  trailing_metadata=self._status.trailing_metadata,
                                  initial_metadata=self._status.initial_metadata)
            payload = self._messages.popleft()
        return self._parse(payload)

    def send(self, message, end=False):
        """Sends one request message (``end=True``: it is the last). False if the call has already
        ended (the message is dropped, as the server would ignore it)."""
        if self._half_closed:
            raise ValueError("send() after done_writing()")
        payload = _encode(message)
        if not isinstance(message, (bytes, bytearray, memoryview)):
            self._typed = True
        if self._status is not None:
            return False
        self._half_closed = end
        self._channel._send([_frame(MESSAGE, self.call_id, payload, END_STREAM if end else 0)])
        return True

    def done_writing(self):
        """Half-closes: no more request messages."""
        if self._half_closed:
            return
        self._half_closed = True
        if self._status is None:
            self._channel._send([_frame(HALF_CLOSE, self.call_id)])

    def cancel(self):
        """Abandons the call: CANCEL to the server, CANCELLED locally. False if it had ended."""
        return self._abandon(StatusCode.CANCELLED, "cancelled by the client")

    def done(self):
        return self._status is not None

    def wait(self):
        """Waits for the end of the call (responses not yet read stay readable); returns self."""
        with self._cond:
            self._wait(lambda: False)
        return self

    @property
    def initial_metadata(self):
        with self._cond:
            self._wait(lambda: self._initial is not None)
            return list(self._initial or [])

    @property
    def trailing_metadata(self):
        return list(self.wait()._status.trailing_metadata)

    @property
    def code(self):
        return self.wait()._status.code

    @property
    def details(self):
        return self.wait()._status.message

    @property
    def status(self):
        """The ending status as a ContonError (code 0 for OK), waiting for the end."""
        return self.wait()._status


class Channel:
    """A TLS connection to a ContOn server. Thread-safe: any number of threads may run calls on
    it at once. Use as a context manager or call ``close()``."""

    def __init__(self, host, port, ca_file, cert_file=None, key_file=None, token=None,
                 server_hostname="localhost", connect_timeout=10.0):
        ctx = ssl.create_default_context(cafile=ca_file)
        ctx.set_alpn_protocols([ALPN])
        if cert_file:
            ctx.load_cert_chain(cert_file, key_file)
        self._token = token
        self._raw = socket.create_connection((host, port), timeout=connect_timeout)
        self._raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self._tls = ctx.wrap_bio(self._in, self._out, server_side=False, server_hostname=server_hostname)
        try:
            self._handshake()
        except BaseException:
            self._raw.close()
            raise
        self._raw.settimeout(None)
        if self._tls.selected_alpn_protocol() not in (ALPN,):
            self._raw.close()
            raise ContonError(StatusCode.UNAVAILABLE, None,
                              "server did not select ALPN %s (got %r)" % (ALPN, self._tls.selected_alpn_protocol()))

        self._tls_lock = threading.Lock()  # the SSLObject and its BIOs; call id order
        self._out_cond = threading.Condition()  # the ciphertext queue
        self._queue = collections.deque()
        self._queued = 0
        self._calls_lock = threading.Lock()
        self._calls = {}
        self._next_id = 1
        self._goaway = None  # (last_call_id, code, message) once received
        self._dead = None  # ContonError once the connection is gone
        self._pings = {}
        self._writer = threading.Thread(target=self._write_loop, name="conton-writer", daemon=True)
        self._reader = threading.Thread(target=self._read_loop, name="conton-reader", daemon=True)
        self._writer.start()
        self._reader.start()

    # --- connection -------------------------------------------------------------------------

    def _handshake(self):
        while True:
            try:
                self._tls.do_handshake()
                pending = self._out.read()
                if pending:
                    self._raw.sendall(pending)
                return
            except ssl.SSLWantReadError:
                pending = self._out.read()
                if pending:
                    self._raw.sendall(pending)
                data = self._raw.recv(65536)
                if not data:
                    raise ConnectionError("connection closed during the TLS handshake")
                self._in.write(data)

    def _flush_locked(self):
        data = self._out.read()
        if data:
            with self._out_cond:
                self._queue.append(data)
                self._queued += len(data)
                self._out_cond.notify_all()

    def _send(self, frames, block=True):
        """Encrypts and queues frames; with ``block`` waits first while too much is queued."""
        if block:
            with self._out_cond:
                while self._queued > _MAX_QUEUED_BYTES and self._dead is None:
                    self._out_cond.wait()
        with self._tls_lock:
            if self._dead is not None:
                raise ContonError(StatusCode.UNAVAILABLE, None, self._dead.message)
            for f in frames:
                self._tls.write(f)
            self._flush_locked()

    def _write_loop(self):
        while True:
            with self._out_cond:
                while not self._queue and self._dead is None:
                    self._out_cond.wait()
                if not self._queue:
                    return
                chunks = []
                size = 0
                while self._queue and size < (1 << 20):
                    c = self._queue.popleft()
                    chunks.append(c)
                    size += len(c)
                self._queued -= size
                self._out_cond.notify_all()
            try:
                self._raw.sendall(b"".join(chunks))
            except OSError as e:
                self._connection_lost("connection lost while writing: %s" % e)
                return

    def _read_loop(self):
        buf = bytearray()
        reason = "connection closed by the server"
        try:
            while True:
                data = self._raw.recv(256 * 1024)
                if not data:
                    break
                eof = False
                with self._tls_lock:
                    self._in.write(data)
                    while True:
                        try:
                            plain = self._tls.read(256 * 1024)
                        except ssl.SSLWantReadError:
                            break
                        except ssl.SSLZeroReturnError:
                            eof = True
                            break
                        if not plain:
                            eof = True
                            break
                        buf += plain
                    self._flush_locked()
                pos = 0
                while len(buf) - pos >= 10:
                    length, ftype, flags, cid = _HEADER.unpack_from(buf, pos)
                    if len(buf) - pos - 10 < length:
                        break
                    payload = bytes(buf[pos + 10:pos + 10 + length])
                    pos += 10 + length
                    self._dispatch(ftype, flags, cid, payload)
                del buf[:pos]
                if eof:
                    break
        except (OSError, ssl.SSLError) as e:
            reason = "connection lost: %s" % e
        except _ProtocolError as e:
            reason = "protocol error from the server: %s" % e
            try:
                self._send([_frame(GOAWAY, 0, wire_pb2.GoAway(code=13, message=str(e)).SerializeToString())],
                           block=False)
            except ContonError:
                pass
        if self._goaway is not None:
            reason += " after GOAWAY (code %d: %s)" % (self._goaway[1], self._goaway[2])
        self._connection_lost(reason)

    def _dispatch(self, ftype, flags, cid, payload):
        if flags & ~END_STREAM or (flags and ftype != MESSAGE):
            raise _ProtocolError("frame type %d with flags 0x%02x" % (ftype, flags))
        if ftype in _CALL_FRAMES:
            if cid == 0:
                raise _ProtocolError("call frame type %d on call id 0" % ftype)
            with self._calls_lock:
                call = self._calls.get(cid)
                if ftype == TRAILERS and call is not None:
                    del self._calls[cid]
            if call is None:
                return  # ended or cancelled: frames may cross on the wire
            if ftype == HEADERS:
                call._on_headers(payload)
            elif ftype == MESSAGE:
                call._on_message(payload)
            elif ftype == TRAILERS:
                call._on_trailers(payload)
            return
        if cid != 0:
            raise _ProtocolError("connection frame type %d on call id %d" % (ftype, cid))
        if ftype == PING:
            if len(payload) != 8:
                raise _ProtocolError("PING of %d bytes" % len(payload))
            self._send([_frame(PONG, 0, payload)], block=False)
        elif ftype == PONG:
            ev = self._pings.pop(payload, None)
            if ev is not None:
                ev.set()
        elif ftype == GOAWAY:
            ga = wire_pb2.GoAway.FromString(payload)
            with self._calls_lock:
                self._goaway = (ga.last_call_id, ga.code, ga.message)
                victims = [c for i, c in self._calls.items() if i > ga.last_call_id]
                for c in victims:
                    del self._calls[c.call_id]
            for c in victims:
                c._finish(ContonError(StatusCode.UNAVAILABLE, None,
                                      "GOAWAY (code %d: %s): call %d was not started, safe to retry"
                                      % (ga.code, ga.message, c.call_id)))
        else:
            raise _ProtocolError("unknown frame type %d" % ftype)

    def _connection_lost(self, reason):
        err = ContonError(StatusCode.UNAVAILABLE, None, reason)
        with self._calls_lock:
            if self._dead is None:
                self._dead = err
            victims = list(self._calls.values())
            self._calls.clear()
        with self._out_cond:
            self._out_cond.notify_all()
        for c in victims:
            c._finish(ContonError(StatusCode.UNAVAILABLE, None, self._dead.message))
        for ev in list(self._pings.values()):
            ev.set()
        try:
            self._raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _forget(self, call_id):
        with self._calls_lock:
            self._calls.pop(call_id, None)

    # --- calls ------------------------------------------------------------------------------

    def _start(self, method, metadata, timeout, response_class, first=None, end=False):
        entries = []
        if self._token is not None:
            entries.append(wire_pb2.MetadataEntry(key="authorization", value=("Bearer " + self._token).encode()))
        entries += _metadata_entries(metadata)
        if not any(e.key == "user-agent" for e in entries):
            # Who called, as the server's audit and evidence logs record it.
            entries.append(wire_pb2.MetadataEntry(key="user-agent", value=_USER_AGENT))
        deadline = None
        headers = wire_pb2.CallHeaders(method=method, metadata=entries)
        if timeout is not None:
            headers.timeout_micros = max(1, int(timeout * 1_000_000))
            deadline = time.monotonic() + timeout
        payload = headers.SerializeToString()
        first_payload = None if first is None else _encode(first)
        with self._out_cond:
            while self._queued > _MAX_QUEUED_BYTES and self._dead is None:
                self._out_cond.wait()
        with self._tls_lock:
            with self._calls_lock:
                if self._dead is not None:
                    raise ContonError(StatusCode.UNAVAILABLE, None, self._dead.message)
                if self._goaway is not None:
                    raise ContonError(StatusCode.UNAVAILABLE, None,
                                      "the server sent GOAWAY (code %d: %s): open a new channel"
                                      % (self._goaway[1], self._goaway[2]))
                if self._next_id > _LAST_CALL_ID:
                    raise ContonError(StatusCode.UNAVAILABLE, None, "call ids exhausted on this channel: open a new one")
                cid = self._next_id
                self._next_id += 1
                call = Call(self, cid, method, deadline, response_class)
                self._calls[cid] = call
            self._tls.write(_frame(HEADERS, cid, payload))
            if first_payload is not None:
                call._typed = not isinstance(first, (bytes, bytearray, memoryview))
                call._half_closed = end
                self._tls.write(_frame(MESSAGE, cid, first_payload, END_STREAM if end else 0))
            self._flush_locked()
        return call

    def unary(self, method, request=b"", timeout=None, metadata=None, response_class=None, with_call=False):
        """One request, one response. ``request`` is bytes or a protobuf message; the response is
        bytes, or for a message request the method's response message (``response_class``
        overrides; pass ``bytes`` for raw). Raises ContonError. ``with_call=True`` returns
        ``(response, call)``."""
        call = self._start(method, metadata, timeout, response_class, first=request, end=True)
        response = call.result()
        return (response, call) if with_call else response

    def server_stream(self, method, request=b"", timeout=None, metadata=None, response_class=None):
        """One request; returns the Call, an iterator of responses (raises ContonError at a
        non-OK end)."""
        return self._start(method, metadata, timeout, response_class, first=request, end=True)

    def client_stream(self, method, requests, timeout=None, metadata=None, response_class=None, with_call=False):
        """Sends every message of the iterable ``requests``, half-closes, returns the response."""
        call = self._start(method, metadata, timeout, response_class)
        try:
            for r in requests:
                if not call.send(r):
                    break
                if call._deadline is not None and time.monotonic() >= call._deadline:
                    call._abandon(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded (client)")
                    break
            call.done_writing()
        except BaseException:
            call.cancel()
            raise
        response = call.result()
        return (response, call) if with_call else response

    def bidi(self, method, requests=None, timeout=None, metadata=None, response_class=None):
        """Bidirectional streaming. Returns the Call: iterate it for responses; send with
        ``call.send(msg)`` and ``call.done_writing()``, or pass an iterable ``requests`` that a
        background thread sends (then half-closes)."""
        call = self._start(method, metadata, timeout, response_class)
        if requests is not None:
            def pump():
                try:
                    for r in requests:
                        if not call.send(r):
                            return
                    call.done_writing()
                except ContonError:
                    pass
                except BaseException:  # noqa: BLE001 — the request iterator failed
                    call.cancel()
            threading.Thread(target=pump, name="conton-bidi-%d" % call.call_id, daemon=True).start()
        return call

    # --- connection-level -------------------------------------------------------------------

    def ping(self, timeout=5.0):
        """Sends a PING and waits for its PONG; returns the round-trip time in seconds."""
        data = os.urandom(8)
        ev = threading.Event()
        self._pings[data] = ev
        t = time.monotonic()
        self._send([_frame(PING, 0, data)], block=False)
        if not ev.wait(timeout) or self._dead is not None:
            self._pings.pop(data, None)
            raise ContonError(StatusCode.UNAVAILABLE, None, "no PONG")
        return time.monotonic() - t

    @property
    def goaway(self):
        """None, or ``(last_call_id, code, message)`` of the server's GOAWAY."""
        return self._goaway

    @property
    def closed(self):
        return self._dead is not None

    def close(self):
        """Cancels the calls still open and closes the connection."""
        if self._dead is None:
            # Let the writer flush what is queued (bounded), then cut the connection.
            end = time.monotonic() + 1.0
            with self._out_cond:
                while self._queue and self._dead is None and time.monotonic() < end:
                    self._out_cond.wait(0.05)
        self._connection_lost("channel closed by the client")
        self._reader.join(2)
        self._writer.join(2)
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _ProtocolError(Exception):
    pass
