import CContonShim

#if canImport(Glibc)
import Glibc
#endif

/// The development CA and server certificate generated into the data directory on the first
/// `serve` without a configured certificate (SAN `localhost`, `127.0.0.1`, `::1`).
public struct DevelopmentCertificates: Sendable, Hashable {
    /// `<dir>/ca.pem`: the CA clients trust (`--cacert`).
    public var caCertificatePath: String
    /// `<dir>/ca-key.pem`: the CA's key (mode 0600), kept to issue client certificates.
    public var caKeyPath: String
    /// `<dir>/server.pem` and `<dir>/server-key.pem`.
    public var serverCertificatePath: String
    public var serverKeyPath: String

    /// The file layout under a TLS directory (normally `<data-dir>/tls`).
    public init(directory: String) {
        self.caCertificatePath = directory + "/ca.pem"
        self.caKeyPath = directory + "/ca-key.pem"
        self.serverCertificatePath = directory + "/server.pem"
        self.serverKeyPath = directory + "/server-key.pem"
    }

    /// Whether all four files exist.
    public var exist: Bool {
        let paths: [String] = [caCertificatePath, caKeyPath, serverCertificatePath, serverKeyPath]
        return paths.allSatisfy { path in access(path, F_OK) == 0 }
    }

    /// Generates the files unless they all exist. Returns true when it generated them.
    @discardableResult
    public func ensure() throws(TLSError) -> Bool {
        if self.exist { return false }
        let dir = String(caCertificatePath.dropLast("/ca.pem".count))
        mkdir(dir, 0o700)
        var err = [CChar](repeating: 0, count: 512)
        let ok = conton_generate_dev_certificates(caCertificatePath, caKeyPath, serverCertificatePath, serverKeyPath, &err, err.count)
        guard ok == 1 else { throw .configuration(Self.string(err)) }
        return true
    }

    /// Issues a client certificate for `commonName` signed by this CA (for mTLS).
    public func issueClientCertificate(commonName: String, certificatePath: String, keyPath: String) throws(TLSError) {
        var err = [CChar](repeating: 0, count: 512)
        let ok = conton_generate_client_certificate(caCertificatePath, caKeyPath, commonName, certificatePath, keyPath, &err, err.count)
        guard ok == 1 else { throw .configuration(Self.string(err)) }
    }

    private static func string(_ buf: [CChar]) -> String {
        String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
