import GRPCCore

/// A call the connection accepted, on its way to the transport's `listen` loop.
struct AcceptedCall: Sendable {
    var stream: RPCStream<ContonServerTransport.Inbound, ContonServerTransport.Outbound>
    var cancellation: CallCancellation
    var peer: PeerIdentity
    var localAddress: String
}
