import ArgumentParser
import ContonAPI

/// `conton list [SERVICE]`: the server's services, or one service's methods, by reflection.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List services, or the methods of one service.")

    @OptionGroup var connection: ClientOptions
    @Argument(help: "A full service name, e.g. conton.health.v1.Health.")
    var service: String?

    func run() async throws {
        let services = try await connection.withClient { try await ReflectionLookup.services($0) }
        guard let service else {
            for s in services { print(s.name) }
            return
        }
        guard let info = services.first(where: { $0.name == service }) else {
            var stderr = StandardError()
            print("ERROR NOT_FOUND (5): the server has no service '\(service)'", to: &stderr)
            throw ExitCode(1)
        }
        for m in info.methods {
            let input = (m.clientStreaming ? "stream " : "") + m.inputType
            let output = (m.serverStreaming ? "stream " : "") + m.outputType
            let access = m.accessSummary.isEmpty ? "" : "  [\(m.accessSummary)]"
            print("\(m.fullName)(\(input)) returns (\(output))\(access)")
        }
    }
}
