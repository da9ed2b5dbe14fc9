import ContonTLS
import Foundation
import Testing

/// Mozilla's *intermediate* server profile (docs/SECURITY.md): key-exchange groups X25519,
/// P-256 and P-384 only, and a development server certificate valid at most 365 days, renewed at
/// start-up when fewer than 30 remain.
@Suite(.serialized) struct TLSProfileTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI() }

    func sClient(_ port: Int, _ extra: [String]) async throws -> (status: Int32, output: String) {
        try await run(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
                       "-CAfile", pki.certs.caCertificatePath, "-verify_return_error"] + extra, input: "ping\n")
    }

    /// Each probe really offers its one group: an `openssl s_server` with OpenSSL's defaults
    /// negotiates it. Ours accepts X25519, P-256 and P-384 and refuses X448 and P-521 (TLS 1.3;
    /// TLS 1.2, when enabled, uses the same list, but there a client's groups also limit the
    /// certificate's curve, so one-group probes cannot tell the two apart).
    @Test func onlyTheIntermediateProfileGroupsAreAccepted() async throws {
        let control = try OpenSSLServer(certificate: pki.certs.serverCertificatePath, key: pki.certs.serverKeyPath)
        defer { control.stop() }
        let controlPort = try await control.port()
        let x448 = try await sClient(controlPort, ["-tls1_3", "-groups", "X448"])
        #expect(x448.output.contains("Server Temp Key: X448"), "\(x448.output)")

        let server = try EchoServer(configuration: pki.serverConfiguration(.tls13))
        for (group, shown) in [("X25519", "X25519"), ("P-256", "prime256v1"), ("P-384", "secp384r1")] {
            let (status, out) = try await sClient(server.port, ["-tls1_3", "-groups", group])
            #expect(status == 0, "\(group): \(out)")
            #expect(out.contains("Server Temp Key: \(shown)") || out.contains("Server Temp Key: ECDH, \(shown)"), "\(group): \(out)")
        }
        for group in ["X448", "P-521"] {
            let (status, out) = try await sClient(server.port, ["-tls1_3", "-groups", group])
            #expect(status != 0, "\(group) was accepted: \(out)")
            #expect(!out.contains("Server Temp Key"), "\(group): \(out)")
        }
    }

    @Test func developmentServerCertificateIsValid365Days() throws {
        let server = try #require(DevelopmentCertificates.validity(pki.certs.serverCertificatePath))
        #expect(server.lifetime == 365 * 86_400)
        #expect(server.remaining > 364 * 86_400 && server.remaining <= 365 * 86_400)
        let ca = try #require(DevelopmentCertificates.validity(pki.certs.caCertificatePath))
        #expect(ca.lifetime == Int64(DevelopmentCertificates.caDays) * 86_400)
        #expect(try pki.certs.ensure() == .unchanged)
    }

    /// A server certificate with fewer than 30 days left is re-issued by the same CA at start-up
    /// (clients keep trusting `ca.pem`); one with more is left alone.
    @Test func expiringServerCertificateIsRenewedByTheSameCA() async throws {
        let dir = pki.dir + "/renew"
        let certs = DevelopmentCertificates(directory: dir)
        // 31 days left: kept.
        #expect(try certs.ensure(serverDays: 31) == .generated)
        #expect(try certs.ensure() == .unchanged)
        let short = try #require(DevelopmentCertificates.validity(certs.serverCertificatePath))
        #expect(short.lifetime == Int64(31 * 86_400))
        // 29 days left: renewed by the same CA, with a new key.
        try FileManager.default.removeItem(atPath: dir)
        #expect(try certs.ensure(serverDays: 29) == .generated)
        let ca = try Data(contentsOf: URL(fileURLWithPath: certs.caCertificatePath))
        let key = try Data(contentsOf: URL(fileURLWithPath: certs.serverKeyPath))
        #expect(try certs.ensure() == .renewedServerCertificate)
        #expect(try Data(contentsOf: URL(fileURLWithPath: certs.caCertificatePath)) == ca)
        #expect(try Data(contentsOf: URL(fileURLWithPath: certs.serverKeyPath)) != key)
        #expect(try certs.ensure() == .unchanged)
        let renewed = try #require(DevelopmentCertificates.validity(certs.serverCertificatePath))
        #expect(renewed.lifetime == 365 * 86_400)
        // The renewed certificate chains to the CA clients already have.
        let server = try EchoServer(configuration: TLSServerConfiguration(
            certificateChainPath: certs.serverCertificatePath, privateKeyPath: certs.serverKeyPath))
        let (status, out) = try await run(["openssl", "s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost",
                                           "-CAfile", certs.caCertificatePath, "-verify_return_error"], input: "ping\n")
        #expect(status == 0, "\(out)")
        #expect(out.contains("Verify return code: 0 (ok)"))
    }
}

/// `openssl s_server` on an ephemeral port (it prints `ACCEPT host:port`), answering one
/// connection with OpenSSL's default groups. Its stdin is a pipe kept open: at end of input
/// s_server would drop the connection.
struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { what }
}

final class OpenSSLServer: @unchecked Sendable {
    let process = Process()
    let output: String
    let input = Pipe()

    init(certificate: String, key: String) throws {
        output = NSTemporaryDirectory() + "conton-s_server-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-naccept", "1"]
        process.standardInput = input
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The port from its `ACCEPT` line (waits for the line, at most 60 s: a busy machine is slow).
    func port() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return port
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimedOut(what: "openssl s_server printed no ACCEPT line in 60 s")
    }

    func stop() {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: output)
    }
}
