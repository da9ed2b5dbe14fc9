import ArgumentParser

/// The `conton` command: the server and its tools.
@main
struct Conton: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conton",
        abstract: "ContOn: the accounting office's RPC server and its tools.",
        subcommands: [Serve.self, Call.self, Download.self, List.self, Describe.self, Admin.self, Bench.self, BenchClients.self, BenchFees.self, BenchDocuments.self, BenchPayments.self, BenchProtocols.self, BenchAttendances.self, BenchAgenda.self, BenchNotifications.self, BenchBilling.self]
    )
}
