import ContonAPI
import ContonKit
import GRDB

/// Meus Dados as other plugins read it: receipts (the office's name, CNPJ, city), late charges
/// (the boleto settings' fine and interest), e-mails (the office's name). The office plugin
/// provides it; a consumer names `(any OfficeProfileSource).self` in its
/// `requiredCapabilities` and depends only on this target.
public protocol OfficeProfileSource: Sendable {
    /// The profile as stored, read inside the caller's transaction; nil until first saved.
    func profile(in db: Database) throws -> Conton_Office_V1_OfficeProfile?

    /// The logo's bytes (its type and size are in the profile's `logo`); nil when the office has
    /// none, or its stored file is missing or damaged (the caller goes on without it).
    func logoImage(in db: Database) throws -> [UInt8]?
}

extension OfficeProfileSource {
    /// The office's name for e-mails and documents: the trade name, else the legal name; nil
    /// until the profile has one.
    public func officeName(in db: Database) throws -> String? {
        guard let profile = try profile(in: db) else { return nil }
        let trade = profile.registration.tradeName, legal = profile.registration.legalName
        return trade.isEmpty ? (legal.isEmpty ? nil : legal) : trade
    }
}

extension Capabilities {
    /// The office plugin's ``OfficeProfileSource`` (name `(any OfficeProfileSource).self` in
    /// `requiredCapabilities`).
    public var office: any OfficeProfileSource {
        get throws(CapabilityError) { try require((any OfficeProfileSource).self) }
    }
}
