import Configuration
import ContonServer
import Foundation
import Testing

/// `conton serve`'s settings through swift-configuration: command line > environment > file >
/// defaults, with the names and messages the server has always had.
@Suite struct ServeSettingsTests {
    /// A settings file in a fresh temporary directory.
    func file(_ json: String) throws -> String {
        let path = NSTemporaryDirectory() + "conton-settings-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func message(_ body: () async throws -> ServeSettings) async -> String? {
        do {
            _ = try await body()
            Issue.record("expected the settings to be refused")
            return nil
        } catch let error as ServeSettings.Invalid {
            return error.description
        } catch {
            Issue.record("expected ServeSettings.Invalid, got \(error)")
            return nil
        }
    }

    @Test func nothingGivenIsTheDefaults() async throws {
        let settings = try await ServeSettings.resolve(commandLine: [:], environment: [:])
        let defaults = ServerConfiguration()
        #expect(settings.server.dataDirectory == defaults.dataDirectory && settings.server.host == "127.0.0.1" && settings.server.port == 7443)
        #expect(settings.server.limits.maxMessageSize == defaults.limits.maxMessageSize)
        #expect(settings.server.limits.idleTimeout == defaults.limits.idleTimeout)
        #expect(!settings.server.enableTestService && !settings.server.allowTLS12)
        #expect(settings.server.certificatePath == nil && settings.server.ownerEmail == nil && settings.server.ownerPassword == nil)
        #expect(settings.server.mailFrom == defaults.mailFrom)
        #expect(settings.filesMaxFileBytes == nil && settings.filesQuotaBytes == nil && settings.configFile == nil)
    }

    @Test func everyVariableIsRead() async throws {
        let env = [
            "CONTON_DATA_DIR": "/srv/conton", "CONTON_LISTEN": "[::1]:9443", "CONTON_CERT": "c.pem", "CONTON_KEY": "k.pem",
            "CONTON_CLIENT_CA": "ca.pem", "CONTON_ENABLE_TEST_SERVICE": "1", "CONTON_ALLOW_TLS12": "Yes",
            "CONTON_MAX_MESSAGE_BYTES": "1000", "CONTON_MAX_RESPONSE_MESSAGE_BYTES": "2000", "CONTON_MAX_CONCURRENT_CALLS": "7",
            "CONTON_IDLE_TIMEOUT_MS": "3000", "CONTON_KEEPALIVE_INTERVAL_MS": "4000", "CONTON_KEEPALIVE_TIMEOUT_MS": "5000",
            "CONTON_SHUTDOWN_GRACE_MS": "6000", "CONTON_OWNER_EMAIL": "dona@example.com", "CONTON_OWNER_PASSWORD": "segredo",
            "CONTON_SMTP_URL": "smtp://u:p@mail:587", "CONTON_MAIL_FROM": "Escritório <x@example.com>",
            "CONTON_FILES_MAX_FILE_BYTES": "123", "CONTON_FILES_QUOTA_BYTES": "0",
        ]
        let s = try await ServeSettings.resolve(environment: env)
        #expect(s.server.dataDirectory == "/srv/conton" && s.server.host == "::1" && s.server.port == 9443)
        #expect(s.server.certificatePath == "c.pem" && s.server.keyPath == "k.pem" && s.server.clientCAPath == "ca.pem")
        #expect(s.server.enableTestService && s.server.allowTLS12)
        #expect(s.server.limits.maxMessageSize == 1000 && s.server.limits.maxResponseMessageSize == 2000 && s.server.limits.maxConcurrentCalls == 7)
        #expect(s.server.limits.idleTimeout == .milliseconds(3000) && s.server.limits.keepaliveInterval == .milliseconds(4000))
        #expect(s.server.limits.keepaliveTimeout == .milliseconds(5000) && s.server.limits.shutdownGracePeriod == .milliseconds(6000))
        #expect(s.server.ownerEmail == "dona@example.com" && s.server.ownerPassword == "segredo")
        #expect(s.server.smtpURL == "smtp://u:p@mail:587" && s.server.mailFrom == "Escritório <x@example.com>")
        #expect(s.filesMaxFileBytes == 123 && s.filesQuotaBytes == 0)
        // Empty means unset for the owner, off for a boolean.
        let empty = try await ServeSettings.resolve(environment: ["CONTON_OWNER_EMAIL": "", "CONTON_OWNER_PASSWORD": "", "CONTON_ALLOW_TLS12": ""])
        #expect(empty.server.ownerEmail == nil && empty.server.ownerPassword == nil && !empty.server.allowTLS12)
        let off = try await ServeSettings.resolve(environment: ["CONTON_ENABLE_TEST_SERVICE": "0", "CONTON_ALLOW_TLS12": "false"])
        #expect(!off.server.enableTestService && !off.server.allowTLS12)
    }

    @Test func aFlagBeatsTheEnvironment() async throws {
        let env = ["CONTON_LISTEN": "0.0.0.0:1", "CONTON_MAX_MESSAGE_BYTES": "1000", "CONTON_DATA_DIR": "/env", "CONTON_FILES_QUOTA_BYTES": "5"]
        let s = try await ServeSettings.resolve(
            commandLine: [.listen: .string("127.0.0.1:0"), .maxMessageBytes: .int(2000), .filesQuotaBytes: .int(0), .enableTestService: .bool(true)],
            environment: env.merging(["CONTON_ENABLE_TEST_SERVICE": "no"]) { $1 })
        #expect(s.server.host == "127.0.0.1" && s.server.port == 0)
        #expect(s.server.limits.maxMessageSize == 2000 && s.filesQuotaBytes == 0)
        #expect(s.server.dataDirectory == "/env")  // not on the command line: the environment's
        #expect(s.server.enableTestService)  // the flag turns it on whatever the variable says
        // A bad variable under a good flag does not matter: the flag is the value.
        let shadowed = try await ServeSettings.resolve(commandLine: [.maxMessageBytes: .int(10)], environment: ["CONTON_MAX_MESSAGE_BYTES": "lots"])
        #expect(shadowed.server.limits.maxMessageSize == 10)
    }

    @Test func aFileIsReadAndTheEnvironmentAndFlagsBeatIt() async throws {
        let path = try file("""
            {"data-dir": "/file", "listen": "10.0.0.1:8443", "max-message-bytes": 3000, "max-concurrent-calls": 9,
             "allow-tls12": true, "files-quota-bytes": 0, "mail-from": "Arquivo <a@example.com>", "owner-email": "file@example.com"}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try await ServeSettings.resolve(environment: ["CONTON_CONFIG": path])
        #expect(fromFile.configFile == path)
        #expect(fromFile.server.dataDirectory == "/file" && fromFile.server.host == "10.0.0.1" && fromFile.server.port == 8443)
        #expect(fromFile.server.limits.maxMessageSize == 3000 && fromFile.server.limits.maxConcurrentCalls == 9)
        #expect(fromFile.server.allowTLS12 && fromFile.filesQuotaBytes == 0)
        #expect(fromFile.server.mailFrom == "Arquivo <a@example.com>" && fromFile.server.ownerEmail == "file@example.com")
        #expect(fromFile.server.limits.keepaliveInterval == ServerConfiguration().limits.keepaliveInterval)  // in none: the default
        let env = ["CONTON_CONFIG": path, "CONTON_MAX_MESSAGE_BYTES": "4000", "CONTON_ALLOW_TLS12": "0", "CONTON_DATA_DIR": "/env"]
        let s = try await ServeSettings.resolve(commandLine: [.dataDir: .string("/flag")], environment: env)
        #expect(s.server.limits.maxMessageSize == 4000 && !s.server.allowTLS12)  // environment over file
        #expect(s.server.dataDirectory == "/flag")  // command line over both
        #expect(s.server.limits.maxConcurrentCalls == 9)  // only in the file
        // --config names the file too, over CONTON_CONFIG.
        let other = try file(#"{"max-concurrent-calls": 11}"#)
        defer { try? FileManager.default.removeItem(atPath: other) }
        let flagged = try await ServeSettings.resolve(commandLine: [.config: .string(other)], environment: ["CONTON_CONFIG": path])
        #expect(flagged.configFile == other && flagged.server.limits.maxConcurrentCalls == 11)
    }

    @Test func invalidValuesGiveTheSameClearErrors() async throws {
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_LISTEN": "localhost"]) }
                == "--listen takes HOST:PORT, got 'localhost'")
        #expect(await message { try await ServeSettings.resolve(commandLine: [.listen: .string("h:p")], environment: [:]) }
                == "--listen takes HOST:PORT, got 'h:p'")
        #expect(await message { try await ServeSettings.resolve(commandLine: [.cert: .string("c.pem")], environment: [:]) }
                == "--cert and --key go together")
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_KEY": "k.pem"]) } == "--cert and --key go together")
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_MAX_MESSAGE_BYTES": "abc"]) }
                == "CONTON_MAX_MESSAGE_BYTES must be a positive integer, got 'abc'")
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_SHUTDOWN_GRACE_MS": "0"]) }
                == "CONTON_SHUTDOWN_GRACE_MS must be a positive integer, got '0'")
        #expect(await message { try await ServeSettings.resolve(commandLine: [.maxConcurrentCalls: .int(-1)], environment: [:]) }
                == "--max-concurrent-calls must be a positive integer, got '-1'")
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_FILES_MAX_FILE_BYTES": "0"]) }
                == "--files-max-file-bytes (CONTON_FILES_MAX_FILE_BYTES) takes a number of bytes above 0, got '0'")
        #expect(await message { try await ServeSettings.resolve(commandLine: [.filesQuotaBytes: .int(-5)], environment: [:]) }
                == "--files-quota-bytes (CONTON_FILES_QUOTA_BYTES) takes a number of bytes, 0 or more, got '-5'")
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_ALLOW_TLS12": "on"]) }
                == "CONTON_ALLOW_TLS12 takes 1, true or yes (0, false, no or empty: off), got 'on'")
        // From a file: the file's key and the file are named.
        let path = try file(#"{"max-message-bytes": "big", "listen": "nowhere"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_CONFIG": path]) }
                == "'listen' in \(path) takes HOST:PORT, got 'nowhere'")
        #expect(await message { try await ServeSettings.resolve(commandLine: [.listen: .string("127.0.0.1:0")], environment: ["CONTON_CONFIG": path]) }
                == "'max-message-bytes' in \(path) must be a positive integer, got 'big'")
    }

    @Test func aFileWithAnUnknownKeyOrBadJSONIsRefused() async throws {
        let typo = try file(#"{"max-mesage-bytes": 1000}"#)
        defer { try? FileManager.default.removeItem(atPath: typo) }
        let unknown = await message { try await ServeSettings.resolve(environment: ["CONTON_CONFIG": typo]) }
        #expect(unknown?.hasPrefix("config file \(typo): unknown setting 'max-mesage-bytes' (did you mean 'max-message-bytes'?)") == true)
        let password = try file(#"{"owner-password": "no"}"#)
        defer { try? FileManager.default.removeItem(atPath: password) }
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_CONFIG": password]) }
                == "config file \(password): 'owner-password' is read from the environment only (CONTON_OWNER_PASSWORD)")
        let nested = try file(#"{"files": {"quota-bytes": 0}}"#)
        defer { try? FileManager.default.removeItem(atPath: nested) }
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_CONFIG": nested]) }?.contains("unknown setting 'files'") == true)
        let broken = try file(#"{"listen": "#)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_CONFIG": broken]) }?.hasPrefix("config file \(broken): not valid JSON") == true)
        let array = try file("[1, 2]")
        defer { try? FileManager.default.removeItem(atPath: array) }
        #expect(await message { try await ServeSettings.resolve(environment: ["CONTON_CONFIG": array]) } == "config file \(array): not a JSON object of settings")
        #expect(await message { try await ServeSettings.resolve(commandLine: [.config: .string("/no/such/conton.json")], environment: [:]) }
                == "config file /no/such/conton.json: cannot be read")
    }

    @Test func thePasswordIsReadFromTheEnvironmentOnly() async throws {
        // Even if a caller hands it in as a "command line" value, it is not taken from there.
        let s = try await ServeSettings.resolve(commandLine: [.ownerPassword: .string("from argv")], environment: [:])
        #expect(s.server.ownerPassword == nil)
        #expect(ServeSettings.Key.ownerPassword.environmentVariable == "CONTON_OWNER_PASSWORD")
        #expect(ServeSettings.Key.allowTLS12.environmentVariable == "CONTON_ALLOW_TLS12" && ServeSettings.Key.allowTLS12.flag == "--allow-tls12")
    }
}
