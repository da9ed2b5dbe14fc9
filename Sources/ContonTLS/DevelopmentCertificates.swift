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

    /// Days a development server certificate is valid: Mozilla's server profiles allow at most
    /// 366; ContOn issues 365 (notAfter − notBefore, exactly).
    public static let serverCertificateDays = 365
    /// A server certificate with fewer days left than this is renewed at start-up.
    public static let renewalDays = 30
    /// Days the development CA is valid (it is renewed, with everything else, when it has fewer
    /// than ``renewalDays`` left; clients then need the new `ca.pem`).
    public static let caDays = 3650

    /// What ``ensure()`` did.
    public enum Outcome: Sendable, Equatable {
        /// The four files existed and the server certificate has more than ``renewalDays`` left.
        case unchanged
        /// No (complete) set existed, or the CA was about to expire: a new CA and server
        /// certificate were generated.
        case generated
        /// The server certificate was about to expire (or unreadable): a new one was issued by
        /// the existing CA, which clients keep trusting.
        case renewedServerCertificate
    }

    /// Generates the files unless they all exist, and renews the server certificate when fewer
    /// than ``renewalDays`` remain. Returns what it did.
    @discardableResult
    public func ensure(serverDays: Int = DevelopmentCertificates.serverCertificateDays) throws(TLSError) -> Outcome {
        let renewal = Int64(Self.renewalDays) * 86_400
        var err = [CChar](repeating: 0, count: 512)
        if self.exist, let ca = Self.validity(caCertificatePath), ca.remaining > renewal {
            if let server = Self.validity(serverCertificatePath), server.remaining > renewal { return .unchanged }
            let ok = conton_renew_dev_server_certificate(caCertificatePath, caKeyPath, serverCertificatePath, serverKeyPath,
                                                         serverDays, &err, err.count)
            guard ok == 1 else { throw .configuration(Self.string(err)) }
            return .renewedServerCertificate
        }
        let dir = String(caCertificatePath.dropLast("/ca.pem".count))
        mkdir(dir, 0o700)
        let ok = conton_generate_dev_certificates(caCertificatePath, caKeyPath, serverCertificatePath, serverKeyPath,
                                                  serverDays, &err, err.count)
        guard ok == 1 else { throw .configuration(Self.string(err)) }
        return .generated
    }

    /// Seconds until the PEM certificate at `path` expires and its whole lifetime; nil when it
    /// cannot be read.
    public static func validity(_ path: String) -> (remaining: Int64, lifetime: Int64)? {
        var remaining: Int64 = 0, lifetime: Int64 = 0
        guard conton_certificate_validity(path, &remaining, &lifetime) == 1 else { return nil }
        return (remaining, lifetime)
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
