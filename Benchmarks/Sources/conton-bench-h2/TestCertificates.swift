import Foundation

/// A throwaway CA and server certificate (EC P-256, SAN `localhost` and `127.0.0.1`) made with the
/// `openssl` command-line tool.
struct TestCertificates {
    let ca: String
    let serverCertificate: String
    let serverKey: String

    /// A certificate step failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let config = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        CN = conton-bench-h2
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [server]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:localhost,IP:127.0.0.1
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid

        """

    static func make(in dir: String) throws -> TestCertificates {
        let cnf = dir + "/openssl.cnf"
        try config.write(toFile: cnf, atomically: true, encoding: .utf8)
        let certs = TestCertificates(ca: dir + "/ca.pem", serverCertificate: dir + "/server.pem", serverKey: dir + "/server-key.pem")
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509", "-new"] + ec + ["-keyout", dir + "/ca-key.pem", "-out", certs.ca, "-days", "7",
                     "-config", cnf, "-extensions", "ca", "-subj", "/CN=conton-bench-h2 CA"])
        try openssl(["req", "-new"] + ec + ["-keyout", certs.serverKey, "-out", dir + "/server.csr",
                     "-config", cnf, "-subj", "/CN=localhost"])
        try openssl(["x509", "-req", "-in", dir + "/server.csr", "-CA", certs.ca, "-CAkey", dir + "/ca-key.pem",
                     "-CAcreateserial", "-out", certs.serverCertificate, "-days", "7", "-extfile", cnf, "-extensions", "server"])
        return certs
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }
}
