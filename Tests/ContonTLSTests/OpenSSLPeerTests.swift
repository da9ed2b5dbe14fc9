import ContonTLS
import Foundation
import NIOCore
import Testing

/// The TLS handler against real peers: `openssl s_client`, `openssl s_server` and Python's `ssl`.
@Suite(.serialized) struct OpenSSLPeerTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI() }

    func sClient(_ port: Int, _ extra: [String], timeout: TimeInterval = 20) async throws -> (status: Int32, output: String) {
        try await run(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
                 "-CAfile", pki.certs.caCertificatePath, "-verify_return_error"] + extra, input: "ping\n", timeout: timeout)
    }

    @Test func tls13WithALPNVerifiesAndNegotiatesConton() async throws {
        let server = try EchoServer(configuration: pki.serverConfiguration())
        let (status, out) = try await sClient(server.port, ["-tls1_3", "-alpn", "conton/1", "-verify_hostname", "localhost"])
        #expect(status == 0, "\(out)")
        #expect(out.contains("TLSv1.3"))
        #expect(out.contains("ALPN protocol: conton/1"))
        #expect(out.contains("Verify return code: 0 (ok)"))
    }

    @Test func tls12OnlyWhenConfiguredAndOnlyWithECDHEAEAD() async throws {
        let strict = try EchoServer(configuration: pki.serverConfiguration(.tls13))
        let refused = try await sClient(strict.port, ["-tls1_2"])
        #expect(refused.status != 0)
        #expect(!refused.output.contains("Cipher is ECDHE"), "\(refused.output)")

        let relaxed = try EchoServer(configuration: pki.serverConfiguration(.tls12))
        let (status, out) = try await sClient(relaxed.port, ["-tls1_2"])
        #expect(status == 0, "\(out)")
        #expect(out.contains("TLSv1.2, Cipher is ECDHE-ECDSA-"))
        #expect(out.contains("GCM") || out.contains("CHACHA20"))
        // A non-AEAD, non-ECDHE suite is refused even with TLS 1.2 on.
        let cbc = try await sClient(relaxed.port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:AES128-GCM-SHA256"])
        #expect(cbc.status != 0, "\(cbc.output)")
    }

    /// The probe really offers TLS 1.1 (checked against an `openssl s_server` that accepts it);
    /// our server refuses it.
    @Test func tls11IsRefused() async throws {
        let probe = ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]
        // Control: a server that allows TLS 1.1 accepts the probe.
        let port = 20000 + Int.random(in: 0..<20000)
        let sServer = Process()
        sServer.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        sServer.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", pki.certs.serverCertificatePath,
                             "-key", pki.certs.serverKeyPath, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-naccept", "1", "-quiet"]
        sServer.standardOutput = FileHandle.nullDevice
        sServer.standardError = FileHandle.nullDevice
        try sServer.run()
        defer { if sServer.isRunning { sServer.terminate() } }
        var control: (status: Int32, output: String) = (1, "")
        for _ in 0..<50 {
            control = try await sClient(port, probe)
            if control.output.contains("TLSv1.1") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(control.output.contains("Protocol  : TLSv1.1") || control.output.contains("TLSv1.1, Cipher"), "\(control.output)")

        let server = try EchoServer(configuration: pki.serverConfiguration(.tls12))
        let refused = try await sClient(server.port, probe)
        #expect(refused.status != 0)
        #expect(!refused.output.contains("TLSv1.1, Cipher"))
    }

    @Test func pythonSSLClientEchoesAndClosesCleanly() async throws {
        let server = try EchoServer(configuration: pki.serverConfiguration())
        let script = """
        import socket, ssl, sys
        ctx = ssl.create_default_context(cafile=sys.argv[2])
        ctx.set_alpn_protocols(["conton/1"])
        with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.version() == "TLSv1.3", s.version()
                assert s.selected_alpn_protocol() == "conton/1"
                payload = bytes(range(256)) * 1024  # 256 KiB: many TLS records both ways
                s.sendall(payload)
                want = len(b"peer=-;") + len(payload)
                got = b""
                while len(got) < want:
                    chunk = s.recv(65536)
                    if not chunk: break
                    got += chunk
                assert got == b"peer=-;" + payload, len(got)
                s.unwrap()  # close_notify both ways
        print("OK")
        """
        let (status, out) = try await run(["python3", "-c", script, "\(server.port)", pki.certs.caCertificatePath])
        #expect(status == 0, "\(out)")
        #expect(out.contains("OK"))
    }

    @Test func clientCertificateIsVerifiedAndHandedUp() async throws {
        let server = try EchoServer(configuration: pki.serverConfiguration(clientCA: true))
        let good = try pki.clientCertificate(commonName: "billing-job")
        let accepted = try await sClient(server.port, ["-tls1_3", "-cert", good.cert, "-key", good.key, "-ign_eof"], timeout: 3)
        #expect(accepted.output.contains("peer=CN=billing-job,O=ContOn development;ping"), "\(accepted.output)")

        let bad = try pki.foreignClientCertificate()
        let refused = try await sClient(server.port, ["-tls1_3", "-cert", bad.cert, "-key", bad.key, "-ign_eof"], timeout: 3)
        #expect(!refused.output.contains("peer="), "\(refused.output)")

        let none = try await sClient(server.port, ["-tls1_3", "-ign_eof"], timeout: 3)
        #expect(!none.output.contains("peer="), "\(none.output)")
    }

    @Test func clientOfferingOnlyOtherProtocolsIsRefused() async throws {
        let server = try EchoServer(configuration: pki.serverConfiguration())
        let (status, out) = try await sClient(server.port, ["-tls1_3", "-alpn", "h2,http/1.1"])
        #expect(status != 0)
        #expect(out.contains("no application protocol") || out.contains("alert"), "\(out)")
    }
}
