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
/// ``DocumentsCapability/DocumentIssuer``: it depends on none of those plugins. It follows the
/// fees plugin's `receivable.settled` and `receivable.cancelled` events (``BoletoWriteOff``).
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

    /// A receivable paid otherwise or cancelled has its live boleto cancelled or written off.
    public func registerSubscriptions(_ subscriptions: inout EventSubscriptions, context: PluginContext) {
        BoletoWriteOff.subscribe(&subscriptions, context: context)
    }
}
