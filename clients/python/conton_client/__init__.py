"""ContOn reference client: one TLS connection, many concurrent calls (docs/PROTOCOL.md)."""
from .channel import ALPN, Call, Channel, output_class
from .errors import ContonError, StatusCode

__all__ = ["ALPN", "Call", "Channel", "ContonError", "StatusCode", "output_class"]
__version__ = "0.1.0"
