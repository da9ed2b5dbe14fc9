import ClientsPlugin
import ContonIdentity
import ContonKit
import ContonServer
import DocumentsPlugin
import FeesPlugin
import FilesPlugin
import OfficePlugin
import PaymentsPlugin
import ProtocolsPlugin
import AttendancesPlugin
import RequestsPlugin
import AgendaPlugin
import NotificationsPlugin
import BillingPlugin
// new-plugin: imports above this line

/// The composition root: every built-in feature plugin, listed explicitly — the single place a
/// plugin is named (besides its targets in Package.swift). `make new-plugin NAME=x` adds to it.
enum CompositionRoot {
    static func plugins(_ config: ServerConfiguration, files: FilesSettings = FilesSettings()) -> [any Plugin] {
        [
            OfficePlugin(),
            ClientsPlugin(logins: ClientLogins(settings: config.identity)),
            FilesPlugin(settings: files),
            FeesPlugin(),
            DocumentsPlugin(),
            PaymentsPlugin(),
            ProtocolsPlugin(),
            AttendancesPlugin(),
            RequestsPlugin(),
            AgendaPlugin(),
            NotificationsPlugin(),
            BillingPlugin(),
            // new-plugin: plugins above this line
        ]
    }
}
