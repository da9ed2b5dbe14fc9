"""Status codes and the exception every failed call raises."""
import enum

from google.protobuf import message as _pb_message
from google.rpc import error_details_pb2, status_pb2

#: The trailing metadata key of gRPC's rich error model: an encoded ``google.rpc.Status``.
STATUS_DETAILS_KEY = "grpc-status-details-bin"


class StatusCode(enum.IntEnum):
    """gRPC's status codes, same numbers and names (docs/PROTOCOL.md section 7)."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def of(cls, code):
        """The code for a number; a number this client does not know is UNKNOWN."""
        try:
            return cls(int(code))
        except ValueError:
            return cls.UNKNOWN


class ContonError(Exception):
    """A call that ended with a status other than OK, from the server or from this client
    (deadline, cancellation, lost connection, GOAWAY).

    Attributes: ``code`` (int), ``code_name`` (e.g. ``"NOT_FOUND"``), ``message`` (str),
    ``trailing_metadata`` and ``initial_metadata`` (lists of ``(key, value)``), and what the
    rich error model carries in ``grpc-status-details-bin`` (docs/PROTOCOL.md section 7):
    ``status_details`` (the ``google.rpc.Status``, or None), ``field_violations`` (list of
    ``(field, description)`` from its ``google.rpc.BadRequest``), ``error_info``
    (``google.rpc.ErrorInfo`` or None), ``resource_info`` (``google.rpc.ResourceInfo`` or None)
    and ``retry_delay_ms`` (from ``google.rpc.RetryInfo``, or None).
    """

    def __init__(self, code, code_name=None, message="", field_violations=(), trailing_metadata=(),
                 initial_metadata=()):
        code = int(code)
        if code_name is None:
            code_name = StatusCode.of(code).name
        self.code = code
        self.code_name = code_name
        self.message = message
        self.trailing_metadata = list(trailing_metadata)
        self.initial_metadata = list(initial_metadata)
        self.status_details = None
        self.error_info = None
        self.resource_info = None
        self.retry_delay_ms = None
        self.field_violations = list(field_violations)
        raw = next((v for k, v in self.trailing_metadata if k == STATUS_DETAILS_KEY), None)
        if raw is not None:
            self._read_details(raw)
        super().__init__(code, code_name, message)

    def _read_details(self, raw):
        """Decodes a ``google.rpc.Status``; detail types this client does not know are skipped."""
        try:
            status = status_pb2.Status.FromString(raw)
        except _pb_message.DecodeError:
            return
        self.status_details = status
        for any_ in status.details:
            if any_.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                any_.Unpack(bad)
                self.field_violations += [(v.field, v.description) for v in bad.field_violations]
            elif any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                self.error_info = error_details_pb2.ErrorInfo()
                any_.Unpack(self.error_info)
            elif any_.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
                self.resource_info = error_details_pb2.ResourceInfo()
                any_.Unpack(self.resource_info)
            elif any_.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                any_.Unpack(retry)
                self.retry_delay_ms = retry.retry_delay.seconds * 1000 + retry.retry_delay.nanos // 1000000

    @property
    def status_code(self):
        return StatusCode.of(self.code)

    @property
    def details(self):
        return self.message

    def __str__(self):
        # The same lines as the conton CLI's ERROR output.
        s = "%s (%d): %s" % (self.code_name, self.code, self.message)
        for f, d in self.field_violations:
            s += "\n  %s: %s" % (f, d)
        if self.error_info is not None:
            s += "\n  reason: %s (%s)" % (self.error_info.reason, self.error_info.domain)
        if self.resource_info is not None:
            s += "\n  resource: %s %s" % (self.resource_info.resource_type, self.resource_info.resource_name)
        if self.retry_delay_ms is not None:
            s += "\n  retry after: %d ms" % self.retry_delay_ms
        return s

    def __repr__(self):
        return "ContonError(%d, %r, %r)" % (self.code, self.code_name, self.message)
