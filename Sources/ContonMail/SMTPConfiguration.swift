import Foundation

/// Where and how ``SMTPMailTransport`` delivers, parsed from a URL (`--smtp-url`,
/// `CONTON_SMTP_URL`):
///
/// - `smtp://[user[:password]@]host[:port][/ehlo-name][?options]` — port 25 by default; STARTTLS
///   **required** when credentials are given (they never travel in clear), opportunistic
///   otherwise (used when the server offers it, with certificate verification).
/// - `smtps://[user[:password]@]host[:port][/ehlo-name][?options]` — implicit TLS, port 465.
///
/// User name and password are percent-decoded (`%40` for `@`, `%3A` for `:`). Options:
/// - `tls=none|opportunistic|starttls` (`smtp://` only; `required` = `starttls`, `try` =
///   `opportunistic`). `none` and `opportunistic` are refused together with credentials.
/// - `cafile=/path/ca.pem` — trust this CA bundle instead of the system's.
/// - `timeout=SECONDS` — the whole SMTP transaction (default 60); `connect_timeout=SECONDS`
///   (default 15).
///
/// TLS peers are always verified (certificate chain and host name). Unknown options are errors.
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable {
        /// Plain text only (a local relay on a trusted network); refused with credentials.
        case none
        /// STARTTLS when the server offers it, plain text otherwise; refused with credentials.
        case opportunistic
        /// STARTTLS or fail before anything else is sent.
        case starttls
        /// TLS from the first byte (`smtps://`).
        case implicit
    }

    /// Host name or IP address (IPv6 without brackets).
    public var host: String
    /// TCP port.
    public var port: Int
    /// Transport security.
    public var security: Security
    /// Percent-decoded user name for SMTP AUTH, if any.
    public var username: String?
    /// Percent-decoded password for SMTP AUTH, if any. Never logged or printed.
    public var password: String?
    /// A PEM CA bundle to trust instead of the system's.
    public var caFile: String?
    /// The name sent in `EHLO` (the URL path); libcurl's default when `nil`.
    public var ehloName: String?
    /// Limit for a whole SMTP transaction.
    public var timeout: Duration
    /// Limit for establishing the TCP (and implicit TLS) connection.
    public var connectTimeout: Duration

    /// Parses and validates an `smtp://` or `smtps://` URL (see the type's documentation).
    public init(url string: String) throws(SMTPConfigurationError) {
        guard let components = URLComponents(string: string), let scheme = components.scheme?.lowercased() else {
            throw .invalidURL("not a URL")
        }
        guard scheme == "smtp" || scheme == "smtps" else { throw .unsupportedScheme(scheme) }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .missingHost }
        let port = components.port ?? (scheme == "smtps" ? 465 : 25)
        guard (1...65535).contains(port) else { throw .invalidPort(port) }
        let username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        if username == nil, components.password != nil { throw .invalidURL("a password without a user name") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw .invalidURL("the path may only hold the EHLO name") }

        var security: Security = scheme == "smtps" ? .implicit : (username != nil ? .starttls : .opportunistic)
        var caFile: String?
        var timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(15)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name.lowercased() {
            case "tls":
                switch (scheme, value.lowercased()) {
                case ("smtp", "none"): security = .none
                case ("smtp", "opportunistic"), ("smtp", "try"): security = .opportunistic
                case ("smtp", "starttls"), ("smtp", "required"): security = .starttls
                case ("smtps", "implicit"): security = .implicit
                default: throw .invalidOption(name: "tls", value: value, reason: scheme == "smtp"
                    ? "expected none, opportunistic or starttls" : "smtps:// always uses implicit TLS")
                }
            case "cafile":
                guard !value.isEmpty else { throw .invalidOption(name: "cafile", value: value, reason: "empty path") }
                caFile = value
            case "timeout": timeout = try Self.seconds(value, option: "timeout")
            case "connect_timeout": connectTimeout = try Self.seconds(value, option: "connect_timeout")
            default: throw .unknownOption(item.name)
            }
        }
        try self.init(host: host, port: port, security: security, username: username, password: components.password,
                      caFile: caFile, ehloName: path.isEmpty ? nil : path, timeout: timeout, connectTimeout: connectTimeout)
    }

    /// A configuration from its parts; refuses credentials without required TLS and unreadable CA files.
    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, caFile: String? = nil,
                ehloName: String? = nil, timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(15)) throws(SMTPConfigurationError) {
        guard !host.isEmpty else { throw .missingHost }
        guard (1...65535).contains(port) else { throw .invalidPort(port) }
        if username != nil, security == .none || security == .opportunistic { throw .credentialsWithoutTLS }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw .caFileNotReadable(caFile) }
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.ehloName = ehloName
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// The URL libcurl connects to (no credentials: they go through `CURLOPT_USERNAME`/`PASSWORD`).
    var curlURL: String {
        let scheme = security == .implicit ? "smtps" : "smtp"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let ehlo = ehloName.map { "/" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0) } ?? ""
        return "\(scheme)://\(hostPart):\(port)\(ehlo)"
    }

    /// The configuration as a URL with the password replaced by `***`, for logs.
    public var description: String {
        let scheme = security == .implicit ? "smtps" : "smtp"
        let user = username.map { ($0.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? $0) + (password == nil ? "" : ":***") + "@" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var options: [String] = []
        if scheme == "smtp" { options.append("tls=\(security.rawValue)") }
        if let caFile { options.append("cafile=\(caFile)") }
        return "\(scheme)://\(user)\(hostPart):\(port)\(ehloName.map { "/" + $0 } ?? "")?\(options.joined(separator: "&"))"
    }

    private static func seconds(_ value: String, option: String) throws(SMTPConfigurationError) -> Duration {
        guard let s = Double(value), s > 0, s <= 3600 else {
            throw .invalidOption(name: option, value: value, reason: "expected seconds between 0 and 3600")
        }
        return .milliseconds(Int64(s * 1000))
    }
}

/// Why an SMTP URL was refused.
public enum SMTPConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidURL(String)
    case unsupportedScheme(String)
    case missingHost
    case invalidPort(Int)
    case invalidOption(name: String, value: String, reason: String)
    case unknownOption(String)
    /// A user name with `tls=none` or `tls=opportunistic`: the password could travel in clear.
    case credentialsWithoutTLS
    case caFileNotReadable(String)

    public var description: String {
        switch self {
        case .invalidURL(let why): "invalid SMTP URL: \(why)"
        case .unsupportedScheme(let s): "unsupported SMTP URL scheme \(s)://: use smtp:// (STARTTLS) or smtps:// (implicit TLS)"
        case .missingHost: "SMTP URL without a host"
        case .invalidPort(let p): "SMTP URL port \(p) is out of range"
        case .invalidOption(let name, let value, let reason): "SMTP URL option \(name)=\(value): \(reason)"
        case .unknownOption(let name): "unknown SMTP URL option \(name) (known: tls, cafile, timeout, connect_timeout)"
        case .credentialsWithoutTLS: "SMTP credentials need TLS: use smtps:// or smtp:// with tls=starttls (the default with credentials)"
        case .caFileNotReadable(let path): "SMTP CA file \(path) is not readable"
        }
    }
}
