"""gRPC's interop test cases (grpc/doc/interop-test-descriptions.md) run through conton_client
against a real server's conton.testing.v1.TestService."""
import time

import pytest

from conton_client import ContonError, StatusCode
from conton_client.gen.conton.testing.v1 import test_pb2 as t

SVC = "conton.testing.v1.TestService/"
SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
REQUEST_SIZES = (27182, 8, 1828, 45904)
RESPONSE_SIZES = (31415, 9, 2653, 58979)


def payload(n):
    return t.Payload(body=bytes(n))


def test_empty_unary(channel):
    r = channel.unary(SVC + "EmptyCall", t.Empty())
    assert isinstance(r, t.Empty)
    assert r.ByteSize() == 0


def test_large_unary(channel):
    r = channel.unary(SVC + "UnaryCall", t.SimpleRequest(response_size=314159, payload=payload(271828)))
    assert isinstance(r, t.SimpleResponse)
    assert r.payload.body == bytes(314159)


def test_client_streaming(channel):
    r = channel.client_stream(SVC + "StreamingInputCall",
                              (t.StreamingInputCallRequest(payload=payload(n)) for n in REQUEST_SIZES))
    assert isinstance(r, t.StreamingInputCallResponse)
    assert r.aggregated_payload_size == 74922


def test_server_streaming(channel):
    req = t.StreamingOutputCallRequest(response_parameters=[t.ResponseParameters(size=n) for n in RESPONSE_SIZES])
    call = channel.server_stream(SVC + "StreamingOutputCall", req)
    responses = list(call)
    assert all(isinstance(r, t.StreamingOutputCallResponse) for r in responses)
    assert [len(r.payload.body) for r in responses] == list(RESPONSE_SIZES)
    assert call.code == 0


def test_ping_pong(channel):
    call = channel.bidi(SVC + "FullDuplexCall")
    for req_size, resp_size in zip(REQUEST_SIZES, RESPONSE_SIZES):
        call.send(t.StreamingOutputCallRequest(response_parameters=[t.ResponseParameters(size=resp_size)],
                                               payload=payload(req_size)))
        r = next(call)
        assert isinstance(r, t.StreamingOutputCallResponse)
        assert len(r.payload.body) == resp_size
    call.done_writing()
    assert list(call) == []
    assert call.code == 0


def test_bidi_with_request_iterable(channel):
    reqs = [t.StreamingOutputCallRequest(response_parameters=[t.ResponseParameters(size=n)]) for n in RESPONSE_SIZES]
    call = channel.bidi(SVC + "FullDuplexCall", iter(reqs))
    assert [len(r.payload.body) for r in call] == list(RESPONSE_SIZES)


def test_empty_stream(channel):
    call = channel.bidi(SVC + "FullDuplexCall")
    call.done_writing()
    assert list(call) == []
    assert call.code == 0


def test_cancel_after_begin(channel):
    call = channel.bidi(SVC + "StreamingInputCall")
    assert call.cancel()
    with pytest.raises(ContonError) as e:
        call.result()
    assert e.value.code == StatusCode.CANCELLED
    assert e.value.code_name == "CANCELLED"
    # The connection carries on.
    assert channel.unary(SVC + "EmptyCall", t.Empty()) == t.Empty()


def test_cancel_after_first_response(channel):
    call = channel.bidi(SVC + "FullDuplexCall")
    call.send(t.StreamingOutputCallRequest(response_parameters=[t.ResponseParameters(size=31415)],
                                           payload=payload(27182)))
    assert len(next(call).payload.body) == 31415
    call.cancel()
    with pytest.raises(ContonError) as e:
        next(call)
    assert e.value.code == StatusCode.CANCELLED
    assert channel.unary(SVC + "EmptyCall", t.Empty()) == t.Empty()


def test_timeout_on_sleeping_server(channel):
    call = channel.bidi(SVC + "FullDuplexCall", timeout=0.2)
    call.send(t.StreamingOutputCallRequest(response_parameters=[t.ResponseParameters(size=1, interval_us=2_000_000_000)],
                                           payload=payload(27182)))
    start = time.monotonic()
    with pytest.raises(ContonError) as e:
        next(call)
    assert e.value.code == StatusCode.DEADLINE_EXCEEDED
    assert e.value.code_name == "DEADLINE_EXCEEDED"
    assert time.monotonic() - start < 3
    assert channel.unary(SVC + "EmptyCall", t.Empty()) == t.Empty()


def test_server_enforces_timeout(channel):
    """The server ends the call itself: its DEADLINE_EXCEEDED TRAILERS arrive while this client
    waits without a deadline of its own."""
    call = channel.bidi(SVC + "FullDuplexCall", timeout=0.2)
    call._deadline = None  # the client no longer enforces it; timeout_micros went on the wire
    call.send(t.StreamingOutputCallRequest(response_parameters=[t.ResponseParameters(size=1, interval_us=10_000_000)]))
    start = time.monotonic()
    with pytest.raises(ContonError) as e:
        next(call)
    assert e.value.code == StatusCode.DEADLINE_EXCEEDED
    assert "client" not in e.value.message
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("message", ["test status message", SPECIAL_MESSAGE], ids=["status_code_and_message",
                                                                                    "special_status_message"])
def test_status_code_and_message(channel, message):
    status = t.EchoStatus(code=2, message=message)
    with pytest.raises(ContonError) as e:
        channel.unary(SVC + "UnaryCall", t.SimpleRequest(response_status=status))
    assert (e.value.code, e.value.code_name, e.value.message) == (2, "UNKNOWN", message)

    call = channel.bidi(SVC + "FullDuplexCall")
    call.send(t.StreamingOutputCallRequest(response_status=status))
    call.done_writing()
    with pytest.raises(ContonError) as e:
        list(call)
    assert (e.value.code, e.value.message) == (2, message)


def test_unimplemented_method(channel):
    with pytest.raises(ContonError) as e:
        channel.unary(SVC + "UnimplementedCall", t.Empty())
    assert e.value.code == StatusCode.UNIMPLEMENTED
    assert e.value.code_name == "UNIMPLEMENTED"


def test_unimplemented_service(channel):
    with pytest.raises(ContonError) as e:
        channel.unary("conton.testing.v1.UnimplementedService/UnimplementedCall", t.Empty())
    assert e.value.code == StatusCode.UNIMPLEMENTED


ECHO_METADATA = [("x-grpc-test-echo-initial", "test_initial_metadata_value"),
                 ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")]


def test_custom_metadata_unary(channel):
    r, call = channel.unary(SVC + "UnaryCall", t.SimpleRequest(response_size=314159, payload=payload(271828)),
                            metadata=ECHO_METADATA, with_call=True)
    assert len(r.payload.body) == 314159
    assert ("x-grpc-test-echo-initial", "test_initial_metadata_value") in call.initial_metadata
    assert ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab") in call.trailing_metadata


def test_custom_metadata_full_duplex(channel):
    call = channel.bidi(SVC + "FullDuplexCall", metadata=dict(ECHO_METADATA))
    call.send(t.StreamingOutputCallRequest(response_parameters=[t.ResponseParameters(size=314159)],
                                           payload=payload(271828)))
    assert ("x-grpc-test-echo-initial", "test_initial_metadata_value") in call.initial_metadata
    assert len(next(call).payload.body) == 314159
    call.done_writing()
    assert list(call) == []
    assert ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab") in call.trailing_metadata


def test_custom_metadata_on_failed_call(channel):
    with pytest.raises(ContonError) as e:
        channel.unary(SVC + "UnaryCall", t.SimpleRequest(response_status=t.EchoStatus(code=3, message="bad")),
                      metadata=ECHO_METADATA)
    assert e.value.code == StatusCode.INVALID_ARGUMENT
    assert ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab") in e.value.trailing_metadata
