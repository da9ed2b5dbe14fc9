import Configuration
import ContonTransport
import Foundation
import NIOCore
import SystemPackage

/// What `conton serve` starts with, read through apple/swift-configuration from three sources,
/// first found wins:
///
/// 1. the command line (`--max-message-bytes 1048576`),
/// 2. the environment (`CONTON_MAX_MESSAGE_BYTES=1048576`),
/// 3. a JSON file named by `--config FILE` or `CONTON_CONFIG` (`{"max-message-bytes": 1048576}`),
///
/// then the defaults of ``ServerConfiguration`` and the files plugin. Each setting has one name,
/// its ``Key``: the flag is `--` + the key, the variable is `CONTON_` + the key upper-cased with
/// `_` for `-` (swift-configuration's environment key encoding under the `conton` prefix), and the
/// file's key is the key itself, at the top level of one JSON object.
///
/// **Why the command line comes in as values, not as argv.** `conton` is an ArgumentParser
/// command tree: it owns the subcommands, `--help`, the typed options and their errors. 1.4.0's
/// `CommandLineArgumentsProvider` would parse the same argv a second time with its own rules (it
/// splits every value at commas, so `--smtp-url smtp://a,b@…` would come apart, and it knows
/// neither `serve` nor ArgumentParser's flags without values), and the two parsers could
/// disagree. So ArgumentParser parses, and what it parsed is the top provider, an
/// `InMemoryProvider` holding only the options actually given; the environment and the file sit
/// below it in the same `ConfigReader`.
///
/// Stricter than the hand-written parsing this replaces, on purpose: a flag's value is checked
/// like the variable's (`--max-message-bytes 0` was taken as is), a boolean variable that is not
/// `1`/`true`/`yes`/`0`/`false`/`no`/empty is an error (it was silently off), and a file key that
/// is not a setting is an error naming it (so a typo does not quietly fall back to a default).
public struct ServeSettings: Sendable {
    public var server = ServerConfiguration()
    /// The files plugin's limits (nil: its defaults; docs/FILES.md).
    public var filesMaxFileBytes: Int64?
    public var filesQuotaBytes: Int64?
    /// The settings file read, if one was named.
    public var configFile: String?

    public init() {}

    /// A setting's single name (see the type's documentation for its three spellings).
    public enum Key: String, CaseIterable, Sendable {
        case config
        case dataDir = "data-dir"
        case listen, cert, key
        case clientCA = "client-ca"
        case enableTestService = "enable-test-service"
        case allowTLS12 = "allow-tls12"
        case maxMessageBytes = "max-message-bytes"
        case maxResponseMessageBytes = "max-response-message-bytes"
        case maxConcurrentCalls = "max-concurrent-calls"
        case idleTimeoutMs = "idle-timeout-ms"
        case keepaliveIntervalMs = "keepalive-interval-ms"
        case keepaliveTimeoutMs = "keepalive-timeout-ms"
        case shutdownGraceMs = "shutdown-grace-ms"
        case ownerEmail = "owner-email"
        /// The environment only (`CONTON_OWNER_PASSWORD`): never a flag (it would show in `ps`) nor
        /// in the file.
        case ownerPassword = "owner-password"
        case smtpURL = "smtp-url"
        case mailFrom = "mail-from"
        case filesMaxFileBytes = "files-max-file-bytes"
        case filesQuotaBytes = "files-quota-bytes"

        public var flag: String { "--" + rawValue }
        public var environmentVariable: String { "CONTON_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_") }
        var configKey: ConfigKey { ConfigKey([rawValue]) }
        /// Redacted in swift-configuration's access log (`CONFIG_ACCESS_LOG_FILE`).
        var isSecret: Bool { self == .ownerPassword || self == .smtpURL }
        /// What a settings file may hold: everything but the file's own name and the password.
        static var fileKeys: Set<String> { Set(allCases.filter { $0 != .config && $0 != .ownerPassword }.map(\.rawValue)) }
    }

    /// A setting with a bad value, or a bad settings file: one line for the operator.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Resolves the settings.
    ///
    /// - Parameters:
    ///   - commandLine: the options given on the command line, as ArgumentParser parsed them
    ///     (`.string`, `.int`, `.bool(true)` for a flag); absent keys were not given.
    ///   - environment: the process environment (tests pass their own).
    /// - Throws: ``Invalid``, with the messages `conton serve` has always printed.
    public static func resolve(
        commandLine: [Key: ConfigContent] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> ServeSettings {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, content) in commandLine where key != .ownerPassword {
            values[AbsoluteConfigKey(key.configKey)] = ConfigValue(content, isSecret: key.isSecret)
        }
        let flags = InMemoryProvider(name: "command line", values: values)
        let secrets = Set(Key.allCases.filter(\.isSecret).map(\.environmentVariable))
        let variables = EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(secrets))
            .prefixKeys(with: ConfigKey(["conton"]))

        var resolver = Resolver(reader: ConfigReader(providers: [flags, variables]), commandLine: commandLine, environment: environment, file: nil)
        var settings = ServeSettings()
        if let path = try await resolver.string(.config), !path.isEmpty {
            let fileKeys = try Self.checkedKeys(ofFile: path)
            let file: FileProvider<JSONSnapshot>
            do {
                file = try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            } catch {
                throw Invalid("config file \(path): \(error)")
            }
            resolver = Resolver(reader: ConfigReader(providers: [flags, variables, file]), commandLine: commandLine,
                                environment: environment, file: (path, fileKeys))
            settings.configFile = path
        }
        try await resolver.apply(to: &settings, ownerPassword: ConfigReader(provider: variables))
        return settings
    }

    /// The keys of a settings file, after checking it is one JSON object of known settings.
    static func checkedKeys(ofFile path: String) throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid("config file \(path): cannot be read")
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Invalid("config file \(path): not a JSON object of settings")
            }
            object = parsed
        } catch let error as Invalid {
            throw error
        } catch {
            throw Invalid("config file \(path): not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error))")
        }
        let known = Key.fileKeys
        for name in object.keys.sorted() where !known.contains(name) {
            if name == Key.ownerPassword.rawValue {
                throw Invalid("config file \(path): '\(name)' is read from the environment only (\(Key.ownerPassword.environmentVariable))")
            }
            let hint = known.min { distance($0, name) < distance($1, name) }.flatMap { distance($0, name) <= 3 ? " (did you mean '\($0)'?)" : nil }
            throw Invalid("config file \(path): unknown setting '\(name)'\(hint ?? ""); the settings are \(known.sorted().joined(separator: ", "))")
        }
        return Set(object.keys)
    }

    /// Levenshtein distance, for the typo hint.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// Reads each setting from the `ConfigReader` and says, when one is wrong, where it came from.
private struct Resolver {
    typealias Key = ServeSettings.Key
    let reader: ConfigReader
    let commandLine: [Key: ConfigContent]
    let environment: [String: String]
    let file: (path: String, keys: Set<String>)?

    /// The source of `key`'s value, for a message: the flag, the variable, or the file's key;
    /// `legacy` is the name the message used before there was a file (kept for the first two).
    func source(_ key: Key, legacy: String? = nil) -> String {
        if commandLine[key] != nil { return legacy ?? key.flag }
        if environment[key.environmentVariable] != nil { return legacy ?? key.environmentVariable }
        if let file, file.keys.contains(key.rawValue) { return "'\(key.rawValue)' in \(file.path)" }
        return legacy ?? key.flag
    }

    func string(_ key: Key) async throws -> String? {
        do {
            return try await reader.fetchString(forKey: key.configKey, isSecret: key.isSecret)
        } catch {
            throw ServeSettings.Invalid("\(source(key)) takes text, got \(raw(error))")
        }
    }

    /// An integer above 0 (or 0 too); `message` words the complaint from the source and the text.
    func integer(_ key: Key, allowZero: Bool = false, _ message: (_ source: String, _ raw: String) -> String) async throws -> Int? {
        let value: Int?
        do {
            value = try await reader.fetchInt(forKey: key.configKey)
        } catch {
            let text = try? await reader.fetchString(forKey: key.configKey)
            throw ServeSettings.Invalid(message(source(key), text ?? raw(error)))
        }
        guard let value else { return nil }
        guard value > 0 || (allowZero && value == 0) else { throw ServeSettings.Invalid(message(source(key), String(value))) }
        return value
    }

    /// `CONTON_X` must be a positive integer (the wording since the first release).
    func positive(_ key: Key) async throws -> Int? {
        try await integer(key) { source, raw in "\(source) must be a positive integer, got '\(raw)'" }
    }

    /// 1/true/yes turn it on, 0/false/no or empty leave it off (a JSON file may say true/false).
    func boolean(_ key: Key) async throws -> Bool {
        do {
            return try await reader.fetchBool(forKey: key.configKey) ?? false
        } catch {
            let text = (try? await reader.fetchString(forKey: key.configKey)) ?? raw(error)
            switch text.lowercased() {
            case "", "0", "false", "no": return false
            case "1", "true", "yes": return true
            default: throw ServeSettings.Invalid("\(source(key)) takes 1, true or yes (0, false, no or empty: off), got '\(text)'")
            }
        }
    }

    /// What a conversion error says, when the value itself cannot be read as text (a JSON number
    /// where text belongs, say); swift-configuration's own wording.
    func raw(_ error: any Error) -> String { "\(error)" }

    func apply(to settings: inout ServeSettings, ownerPassword: ConfigReader) async throws {
        var config = ServerConfiguration()
        if let dir = try await string(.dataDir) { config.dataDirectory = dir }
        if let listen = try await string(.listen) {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                throw ServeSettings.Invalid("\(source(.listen, legacy: "--listen")) takes HOST:PORT, got '\(listen)'")
            }
            config.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            config.port = port
        }
        config.certificatePath = try await string(.cert)
        config.keyPath = try await string(.key)
        if (config.certificatePath == nil) != (config.keyPath == nil) {
            throw ServeSettings.Invalid("--cert and --key go together")
        }
        config.clientCAPath = try await string(.clientCA)
        config.enableTestService = try await boolean(.enableTestService)
        config.allowTLS12 = try await boolean(.allowTLS12)
        if let n = try await positive(.maxMessageBytes) { config.limits.maxMessageSize = n }
        if let n = try await positive(.maxResponseMessageBytes) { config.limits.maxResponseMessageSize = n }
        if let n = try await positive(.maxConcurrentCalls) { config.limits.maxConcurrentCalls = n }
        if let n = try await positive(.idleTimeoutMs) { config.limits.idleTimeout = .milliseconds(Int64(n)) }
        if let n = try await positive(.keepaliveIntervalMs) { config.limits.keepaliveInterval = .milliseconds(Int64(n)) }
        if let n = try await positive(.keepaliveTimeoutMs) { config.limits.keepaliveTimeout = .milliseconds(Int64(n)) }
        if let n = try await positive(.shutdownGraceMs) { config.limits.shutdownGracePeriod = .milliseconds(Int64(n)) }
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        config.ownerEmail = nonEmpty(try await string(.ownerEmail))
        config.ownerPassword = nonEmpty(try await ownerPassword.fetchString(forKey: Key.ownerPassword.configKey, isSecret: true))
        config.smtpURL = try await string(.smtpURL)
        if let from = try await string(.mailFrom) { config.mailFrom = from }
        settings.server = config
        func bytes(_ key: Key, allowZero: Bool) async throws -> Int64? {
            try await integer(key, allowZero: allowZero) { _, raw in
                "\(source(key, legacy: "\(key.flag) (\(key.environmentVariable))")) takes a number of bytes\(allowZero ? ", 0 or more" : " above 0"), got '\(raw)'"
            }.map(Int64.init)
        }
        settings.filesMaxFileBytes = try await bytes(.filesMaxFileBytes, allowZero: false)
        settings.filesQuotaBytes = try await bytes(.filesQuotaBytes, allowZero: true)
    }
}
