import ContonAPI
import GRDB

extension OfficePlugin {
    /// The office profile (Meus Dados) as stored, for other plugins — receipts (name, CNPJ, city),
    /// late charges (the boleto settings' fine and interest) — read inside the caller's
    /// transaction. Nil until the profile is first saved (or without the office plugin's table).
    public static func profile(in db: Database) throws -> Conton_Office_V1_OfficeProfile? {
        guard try db.tableExists("office_profile") else { return nil }
        return try OfficeStore.profile(in: db)
    }
}
