/// TLSPeer (in ContonRPC, so the plugin API has it without NIO) is part of this module's API.
@_exported import ContonRPC
