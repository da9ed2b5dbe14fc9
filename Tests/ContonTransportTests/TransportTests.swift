import ContonAPI
import ContonKit
import ContonServer
import ContonTLS
@testable import ContonTransport
import Foundation
import GRPCCore
import NIOCore
import Synchronization
import Testing

/// Records what a handler observed, for assertions from the test.
final class Probe: Sendable {
    let cancelled = Mutex(0)
    let started = Mutex(0)
}

/// A TestService whose FullDuplexCall blocks until cancelled and counts it, so a test can see a
/// client's cancel or a deadline reach the handler.
struct ProbeService: Conton_Testing_V1_TestService.SimpleServiceProtocol {
    let probe: Probe
    let real = TestService()

    func emptyCall(request: Conton_Testing_V1_Empty, context: ServerContext) async throws -> Conton_Testing_V1_Empty {
        // Answers with the caller's principal in the error message, for the mTLS test.
        throw RPCError(code: .failedPrecondition, message: "\(context.principal)")
    }
    func unaryCall(request: Conton_Testing_V1_SimpleRequest, context: ServerContext) async throws -> Conton_Testing_V1_SimpleResponse {
        var r = Conton_Testing_V1_SimpleResponse()
        r.payload.body = request.payload.body
        return r
    }
    func streamingOutputCall(request: Conton_Testing_V1_StreamingOutputCallRequest, response: RPCWriter<Conton_Testing_V1_StreamingOutputCallResponse>, context: ServerContext) async throws {
        for p in request.responseParameters {
            var r = Conton_Testing_V1_StreamingOutputCallResponse()
            r.payload.body = [UInt8](repeating: 1, count: Int(p.size))
            try await response.write(r)
        }
    }
    func streamingInputCall(request: RPCAsyncSequence<Conton_Testing_V1_StreamingInputCallRequest, any Error>, context: ServerContext) async throws -> Conton_Testing_V1_StreamingInputCallResponse {
        var total: Int32 = 0
        for try await m in request { total += Int32(m.payload.body.count) }
        var r = Conton_Testing_V1_StreamingInputCallResponse()
        r.aggregatedPayloadSize = total
        return r
    }
    func fullDuplexCall(request: RPCAsyncSequence<Conton_Testing_V1_StreamingOutputCallRequest, any Error>, response: RPCWriter<Conton_Testing_V1_StreamingOutputCallResponse>, context: ServerContext) async throws {
        for try await m in request {
            if m.responseParameters.isEmpty {
                probe.started.withLock { $0 += 1 }
                // The transport cancels the handler's task too: a plain sleep ends.
                try? await Task.sleep(for: .seconds(30))
                if context.cancellation.isCancelled && Task.isCancelled { probe.cancelled.withLock { $0 += 1 } }
                return
            }
            for p in m.responseParameters {
                var r = Conton_Testing_V1_StreamingOutputCallResponse()
                r.payload.body = [UInt8](repeating: 2, count: Int(p.size))
                try await response.write(r)
            }
        }
    }
    func unimplementedCall(request: Conton_Testing_V1_Empty, context: ServerContext) async throws -> Conton_Testing_V1_Empty {
        throw RPCError(code: .unimplemented, message: "no")
    }
}

/// GRPCCore client and server over the ContOn transport and real TLS on loopback.
@Suite(.serialized) struct TransportTests {
    let dir: String
    let certs: DevelopmentCertificates

    init() throws {
        dir = NSTemporaryDirectory() + "conton-transport-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        certs = DevelopmentCertificates(directory: dir + "/tls")
        try certs.ensure()
    }

    /// - Parameters:
    ///   - service: what the server serves; the probe's TestService by default.
    ///   - firstCallID: the client connection's first call id.
    func withServerAndClient(
        _ probe: Probe = Probe(),
        service: (any RegistrableRPCService)? = nil,
        limits: ServerLimits = ServerLimits(),
        firstCallID: UInt32 = 1,
        clientCA: Bool = false,
        clientCertificate: (cert: String, key: String)? = nil,
        _ body: (Conton_Testing_V1_TestService.Client<ContonClientTransport>, GRPCClient<ContonClientTransport>) async throws -> Void
    ) async throws {
        let tls = try SSLContext(server: TLSServerConfiguration(certificateChainPath: certs.serverCertificatePath, privateKeyPath: certs.serverKeyPath,
                                                                clientCAPath: clientCA ? certs.caCertificatePath : nil))
        let transport = ContonServerTransport(host: "127.0.0.1", port: 0, tls: tls, limits: limits)
        let server = GRPCServer(transport: transport, services: [service ?? ProbeService(probe: probe)])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let port = try await transport.listeningAddress.port!
            let clientTLS = try SSLContext(client: TLSClientConfiguration(trustRootsPath: certs.caCertificatePath,
                                                                          certificateChainPath: clientCertificate?.cert, privateKeyPath: clientCertificate?.key))
            let client = GRPCClient(transport: ContonClientTransport(host: "127.0.0.1", port: port, tls: clientTLS, serverHostname: "localhost",
                                                                     firstCallID: firstCallID))
            group.addTask { try await client.runConnections() }
            try await body(Conton_Testing_V1_TestService.Client(wrapping: client), client)
            client.beginGracefulShutdown()
            server.beginGracefulShutdown()
        }
    }

    @Test func allFourCallKinds() async throws {
        try await withServerAndClient { service, _ in
            var unary = Conton_Testing_V1_SimpleRequest()
            unary.payload.body = Array("olá".utf8)
            #expect(try await service.unaryCall(unary).payload.body == Array("olá".utf8))

            var out = Conton_Testing_V1_StreamingOutputCallRequest()
            out.responseParameters = [Int32(31415), 9, 2653, 58979].map { var p = Conton_Testing_V1_ResponseParameters(); p.size = $0; return p }
            let sizes = try await service.streamingOutputCall(out) { response in
                var sizes: [Int] = []
                for try await m in response.messages { sizes.append(m.payload.body.count) }
                return sizes
            }
            #expect(sizes == [31415, 9, 2653, 58979])

            let total = try await service.streamingInputCall(requestProducer: { writer in
                for n in [27182, 8, 1828, 45904] {
                    var m = Conton_Testing_V1_StreamingInputCallRequest()
                    m.payload.body = [UInt8](repeating: 0, count: n)
                    try await writer.write(m)
                }
            })
            #expect(total.aggregatedPayloadSize == 74922)

            let echoed = try await service.fullDuplexCall(requestProducer: { writer in
                for n in [1, 2, 3] {
                    var m = Conton_Testing_V1_StreamingOutputCallRequest()
                    var p = Conton_Testing_V1_ResponseParameters(); p.size = Int32(n)
                    m.responseParameters = [p]
                    try await writer.write(m)
                }
            }, onResponse: { response in
                var sizes: [Int] = []
                for try await m in response.messages { sizes.append(m.payload.body.count) }
                return sizes
            })
            #expect(echoed == [1, 2, 3])
        }
    }

    @Test func hundredConcurrentCallsOnOneConnection() async throws {
        try await withServerAndClient { service, _ in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        var r = Conton_Testing_V1_SimpleRequest()
                        r.payload.body = [UInt8](repeating: UInt8(i), count: i)
                        return try await service.unaryCall(r).payload.body.count
                    }
                }
                var seen = Set<Int>()
                for try await n in group { seen.insert(n) }
                #expect(seen == Set(0..<100))
            }
        }
    }

    @Test func deadlineExceededAndHandlerCancelled() async throws {
        let probe = Probe()
        try await withServerAndClient(probe) { service, _ in
            let error = await #expect(throws: RPCError.self) {
                var options = CallOptions.defaults
                options.timeout = .milliseconds(200)
                try await service.fullDuplexCall(options: options, requestProducer: { writer in
                    try await writer.write(Conton_Testing_V1_StreamingOutputCallRequest())
                    try await Task.sleep(for: .seconds(5))
                }, onResponse: { response in
                    for try await _ in response.messages {}
                })
            }
            #expect(error?.code == .deadlineExceeded)
            try await waitUntil { probe.cancelled.withLock { $0 } == 1 }
        }
    }

    @Test func clientCancelReachesTheHandler() async throws {
        let probe = Probe()
        try await withServerAndClient(probe) { service, _ in
            let task = Task {
                try await service.fullDuplexCall(requestProducer: { writer in
                    try await writer.write(Conton_Testing_V1_StreamingOutputCallRequest())
                    try await Task.sleep(for: .seconds(30))
                }, onResponse: { response in
                    for try await _ in response.messages {}
                })
            }
            try await waitUntil { probe.started.withLock { $0 } == 1 }
            task.cancel()
            _ = await task.result
            try await waitUntil { probe.cancelled.withLock { $0 } == 1 }
        }
    }

    @Test func unimplementedServiceAndMethod() async throws {
        try await withServerAndClient { _, client in
            let other = Conton_Testing_V1_UnimplementedService.Client(wrapping: client)
            let error = await #expect(throws: RPCError.self) { try await other.unimplementedCall(Conton_Testing_V1_Empty()) }
            #expect(error?.code == .unimplemented)
            let health = Conton_Health_V1_Health.Client(wrapping: client)
            let e2 = await #expect(throws: RPCError.self) { try await health.check(Conton_Health_V1_HealthCheckRequest()) }
            #expect(e2?.code == .unimplemented)
        }
    }

    @Test func clientCertificateBecomesTheCallsPrincipal() async throws {
        let cert = dir + "/svc.pem", key = dir + "/svc-key.pem"
        try certs.issueClientCertificate(commonName: "bank-reconciliation", certificatePath: cert, keyPath: key)
        try await withServerAndClient(clientCA: true, clientCertificate: (cert, key)) { service, _ in
            let error = await #expect(throws: RPCError.self) { try await service.emptyCall(Conton_Testing_V1_Empty()) }
            #expect(error?.message.contains("certificate(subject: \"CN=bank-reconciliation,O=ContOn development\"") == true, "\(String(describing: error))")
        }
        try await withServerAndClient(clientCA: true) { service, _ in
            let error = await #expect(throws: RPCError.self) { try await service.emptyCall(Conton_Testing_V1_Empty()) }
            #expect(error?.message.hasPrefix("anonymous(peer:") == true, "\(String(describing: error))")
        }
    }

    /// PROTOCOL.md §8: a response message over the server's limit is never sent; its call ends
    /// with RESOURCE_EXHAUSTED naming the limit in `conton-max-message-bytes`, and the
    /// connection carries on.
    @Test func responseOverTheLimitEndsTheCallNotTheConnection() async throws {
        var limits = ServerLimits()
        limits.maxResponseMessageSize = 1000
        try await withServerAndClient(limits: limits) { service, _ async throws in
            var fits = Conton_Testing_V1_SimpleRequest()
            fits.payload.body = [UInt8](repeating: 7, count: 990)  // 996 bytes as a response
            #expect(try await service.unaryCall(fits).payload.body.count == 990)
            var big = Conton_Testing_V1_SimpleRequest()
            big.payload.body = [UInt8](repeating: 7, count: 2000)
            let error = await #expect(throws: RPCError.self) { try await service.unaryCall(big) }
            #expect(error?.code == .resourceExhausted && error?.message == "response message of 2006 bytes exceeds the limit of 1000", "\(String(describing: error))")
            #expect(error?.metadata[stringValues: "conton-max-message-bytes"].map { $0 } == ["1000"])

            var stream = Conton_Testing_V1_StreamingOutputCallRequest()
            stream.responseParameters = [Int32(10), 2000, 10].map { var p = Conton_Testing_V1_ResponseParameters(); p.size = $0; return p }
            let received = Mutex<[Int]>([])
            let streamError = await #expect(throws: RPCError.self) {
                try await service.streamingOutputCall(stream) { response in
                    for try await m in response.messages { received.withLock { $0.append(m.payload.body.count) } }
                }
            }
            #expect(streamError?.code == .resourceExhausted)
            #expect(received.withLock { $0 } == [10])
            #expect(try await service.unaryCall(fits).payload.body.count == 990)
        }
    }

    /// PROTOCOL.md §3: the call that takes id 0xFFFFFFFF is the connection's last; the client
    /// says GOAWAY after it and later calls fail with UNAVAILABLE instead of wrapping around.
    @Test func callIDsRunOut() async throws {
        try await withServerAndClient(firstCallID: 0xFFFF_FFFD) { service, _ async throws in
            var request = Conton_Testing_V1_SimpleRequest()
            request.payload.body = [1]
            #expect(try await service.unaryCall(request).payload.body == [1])  // 0xFFFFFFFD
            #expect(try await service.unaryCall(request).payload.body == [1])  // 0xFFFFFFFF
            let error = await #expect(throws: RPCError.self) { try await service.unaryCall(request) }
            #expect(error?.code == .unavailable && error?.message.contains("call ids exhausted") == true, "\(String(describing: error))")
        }
    }

    /// PROTOCOL.md §4: the Swift client lower-cases keys (GRPCCore's are case-insensitive) and
    /// keeps GRPCCore's own `grpc-` keys off the wire; the server refuses what breaks the rules,
    /// naming the key.
    @Test func requestMetadataOnTheWire() async throws {
        try await withServerAndClient(service: TestService()) { service, _ in
            var request = Conton_Testing_V1_SimpleRequest()
            request.responseSize = 1
            let metadata: Metadata = ["X-Grpc-Test-Echo-Initial": "Upper", "grpc-previous-rpc-attempts": "1"]
            let initial = try await service.unaryCall(request, metadata: metadata) { response in response.metadata }
            #expect(Array(initial[stringValues: "x-grpc-test-echo-initial"]) == ["Upper"])
            for (bad, named) in [(["x key": "v"] as Metadata, "\"x key\""), (["x-note": "olá"], "\"x-note\": a text value must be printable ASCII"),
                                 (["conton-anything": "v"], "'conton-' prefix is reserved")] {
                let error = await #expect(throws: RPCError.self) { try await service.unaryCall(request, metadata: bad) }
                #expect(error?.code == .invalidArgument && error?.message.contains(named) == true, "\(String(describing: error))")
            }
        }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(25)) }
        #expect(condition())
    }
}
