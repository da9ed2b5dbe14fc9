"""Status codes and the exception every failed call raises."""
import enum


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
    ``field_violations`` (list of ``(field, description)``), ``trailing_metadata`` and
    ``initial_metadata`` (lists of ``(key, value)``).
    """

    def __init__(self, code, code_name=None, message="", field_violations=(), trailing_metadata=(),
                 initial_metadata=()):
        code = int(code)
        if code_name is None:
            code_name = StatusCode.of(code).name
        self.code = code
        self.code_name = code_name
        self.message = message
        self.field_violations = list(field_violations)
        self.trailing_metadata = list(trailing_metadata)
        self.initial_metadata = list(initial_metadata)
        super().__init__(code, code_name, message)

    @property
    def status_code(self):
        return StatusCode.of(self.code)

    @property
    def details(self):
        return self.message

    def __str__(self):
        s = "%s (%d): %s" % (self.code_name, self.code, self.message)
        for f, d in self.field_violations:
            s += "\n  %s: %s" % (f, d)
        return s

    def __repr__(self):
        return "ContonError(%d, %r, %r)" % (self.code, self.code_name, self.message)
