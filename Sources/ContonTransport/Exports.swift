/// PeerIdentity and TLSPeer (in ContonRPC, so the plugin API has them without NIO) are
/// part of this module's API.
@_exported import ContonRPC
