import ArgumentParser
import ContonAPI
import ContonTLS
import ContonTransport
import Foundation
import GRPCCore

/// Connection options shared by `call`, `list` and `describe`.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server HOST:PORT (env CONTON_ADDR).")
    var addr: String?
    @Option(help: "CA to trust, PEM. Default: the development CA in --data-dir, if present.")
    var cacert: String?
    @Option(help: "Client certificate, PEM (mTLS).")
    var cert: String?
    @Option(help: "Client private key, PEM.")
    var key: String?
    @Option(help: "Bearer token (env CONTON_TOKEN).")
    var token: String?
    @Option(name: .customShort("H"), help: "Request metadata KEY:VALUE (repeatable).")
    var header: [String] = []
    @Option(name: .customLong("data-dir"), help: "Where to find the development CA (default ./.conton).")
    var dataDir: String = "./.conton"
    @Option(help: "Deadline in seconds.")
    var timeout: Double?

    /// Runs `body` with a connected client.
    func withClient<R: Sendable>(_ body: (GRPCClient<ContonClientTransport>) async throws -> R) async throws -> R {
        let env = ProcessInfo.processInfo.environment
        let address = addr ?? env["CONTON_ADDR"] ?? "127.0.0.1:7443"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw ValidationError("--addr takes HOST:PORT, got '\(address)'")
        }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var trust = cacert
        if trust == nil {
            let dev = dataDir + "/tls/ca.pem"
            if FileManager.default.fileExists(atPath: dev) { trust = dev }
        }
        let tls = try SSLContext(client: TLSClientConfiguration(trustRootsPath: trust, certificateChainPath: cert, privateKeyPath: key))
        let serverName = host == "127.0.0.1" || host == "::1" ? "localhost" : host
        let client = GRPCClient(transport: ContonClientTransport(host: host, port: port, tls: tls, serverHostname: serverName))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try? await client.runConnections() }
            defer { client.beginGracefulShutdown() }
            return try await body(client)
        }
    }

    /// Request metadata from `-H` and the token.
    func metadata() throws -> Metadata {
        var metadata = Metadata()
        for h in header {
            guard let colon = h.firstIndex(of: ":") else { throw ValidationError("-H takes KEY:VALUE, got '\(h)'") }
            let key = h[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key.hasSuffix("-bin") {
                guard let bytes = Data(base64Encoded: value) else { throw ValidationError("-H \(key): a -bin value is base64") }
                metadata.addBinary(Array(bytes), forKey: key)
            } else {
                metadata.addString(value, forKey: key)
            }
        }
        if let token = token ?? ProcessInfo.processInfo.environment["CONTON_TOKEN"] {
            metadata.addString("Bearer \(token)", forKey: "authorization")
        }
        return metadata
    }

    var callOptions: CallOptions {
        var options = CallOptions.defaults
        if let timeout { options.timeout = .milliseconds(Int64(timeout * 1000)) }
        return options
    }
}

/// gRPC's status code names.
enum StatusName {
    static let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]

    static func of(_ code: Int) -> String { code >= 0 && code < names.count ? names[code] : "UNKNOWN" }
}

/// Reflection lookups the CLI needs.
enum ReflectionLookup {
    static func services(_ client: GRPCClient<ContonClientTransport>) async throws -> [Conton_Reflection_V1_ServiceInfo] {
        try await Conton_Reflection_V1_Reflection.Client(wrapping: client).listServices(Conton_Reflection_V1_ListServicesRequest()).services
    }

    static func method(_ name: String, in services: [Conton_Reflection_V1_ServiceInfo]) -> Conton_Reflection_V1_MethodInfo? {
        let wanted = name.hasPrefix("/") ? String(name.dropFirst()) : name
        return services.lazy.flatMap(\.methods).first { $0.fullName == wanted }
    }
}
