import ArgumentParser
import ContonIdentity
import ContonStore
import Foundation

/// `conton admin …`: operator commands that work on the data directory directly.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator commands on a data directory.",
        subcommands: [ResetOwner.self]
    )
}

/// `conton admin reset-owner`: recovers a lost owner login.
struct ResetOwner: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-owner",
        abstract: "Give the owner account a new password (generated, or CONTON_OWNER_PASSWORD), re-enable it and end its sessions.",
        discussion: "Works while the server runs. The generated password must be changed at the next sign-in."
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (env CONTON_DATA_DIR; default ./.conton).")
    var dataDir: String?

    @Option(help: "The owner to reset, when there are several.")
    var email: String?

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let directory = dataDir ?? env["CONTON_DATA_DIR"] ?? "./.conton"
        guard FileManager.default.fileExists(atPath: directory + "/conton.sqlite") else {
            throw ValidationError("no ContOn database in \(directory) (run `conton serve --data-dir \(directory)` first)")
        }
        let database = try ContonDatabase(dataDirectory: directory)
        defer { try? database.close() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            let owner = try await OwnerBootstrap.resetOwner(database: database, email: email, password: env["CONTON_OWNER_PASSWORD"], now: now)
            if let password = owner.generatedPassword {
                print("owner \(owner.email): new password \(password)  — to be changed at the next sign-in; every session was ended")
            } else {
                print("owner \(owner.email): password set from CONTON_OWNER_PASSWORD; every session was ended")
            }
        } catch let failure as OwnerBootstrap.Failure {
            throw ValidationError(failure.description)
        }
    }
}
