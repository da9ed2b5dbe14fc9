import GRPCCore

/// Runs one `GRPCClient` per transport (one connection each) for the length of `body`, then
/// shuts them down gracefully and waits for them.
///
/// A connection that fails is not thrown here: its calls fail with `UNAVAILABLE`, which the
/// ``LoadGenerator`` counts and reports with the transport's message.
public func withClients<Transport: ClientTransport, Result: Sendable>(
    _ transports: [Transport],
    _ body: ([GRPCClient<Transport>]) async throws -> Result
) async throws -> Result {
    let clients = transports.map { GRPCClient(transport: $0) }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for client in clients {
            group.addTask { try? await client.runConnections() }
        }
        defer { for client in clients { client.beginGracefulShutdown() } }
        return try await body(clients)
    }
}

/// Runs one `GRPCServer` per transport, each serving `services`, for the length of `body`.
public func withServers<Transport: ServerTransport, Result: Sendable>(
    _ transports: [Transport],
    services: @autoclosure () -> [any RegistrableRPCService],
    _ body: ([GRPCServer<Transport>]) async throws -> Result
) async throws -> Result {
    let servers = transports.map { GRPCServer(transport: $0, services: services()) }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for server in servers {
            group.addTask { try? await server.serve() }
        }
        defer { for server in servers { server.beginGracefulShutdown() } }
        return try await body(servers)
    }
}
