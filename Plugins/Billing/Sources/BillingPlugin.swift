import ClientsCapability
import ContonKit
import DocumentsCapability
import FeesCapability
import OfficeCapability

/// Cobrança (plugin id `billing`): boletos with their nosso número, bar code, linha digitável and
/// Pix payload for the office's receivables, the boleto's PDF, and Pix charges (docs/BILLING.md).
///
/// It reads receivables and settles them through ``FeesCapability/ReceivableLedger``, the office's
/// bank settings, name and Pix key through ``OfficeCapability/OfficeProfileSource``, the payer
/// through ``ClientsCapability/ClientRegistry``, and prints through
/// ``DocumentsCapability/DocumentIssuer``: it depends on none of those plugins.
public struct BillingPlugin: Plugin {
    public init() {}

    public var id: String { "billing" }
    public var requiredCapabilities: [any Any.Type] {
        [(any ReceivableLedger).self, (any OfficeProfileSource).self, (any ClientRegistry).self, (any DocumentIssuer).self]
    }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        BillingSchema.register(&migrations)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(BillingService(context: context))
    }
}
