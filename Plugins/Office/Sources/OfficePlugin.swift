import ContonAPI
import OfficeCapability
import ContonKit
import ContonStore
import Foundation
import GRDB
import Synchronization
import GRPCCore

/// Meus Dados (plugin id `office`): the office's own profile — registration data, boleto
/// settings, the responsible accountant, the Pix key — and its logo. Staff read the profile,
/// admins change it; clients read the public card (docs/OFFICE.md).
public struct OfficePlugin: Plugin {
    public init() {}

    public var id: String { "office" }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        migrations.register("office.1_profile") { db in
            try db.execute(sql: """
                CREATE TABLE office_profile (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  profile_json TEXT NOT NULL,
                  updated_at_ms INTEGER NOT NULL,
                  logo_sha256 TEXT,
                  logo_content_type TEXT,
                  logo_width INTEGER,
                  logo_height INTEGER,
                  logo_size INTEGER,
                  logo_updated_at_ms INTEGER
                )
                """)
        }
    }

    /// Offers Meus Dados to other plugins (``OfficeCapability/OfficeProfileSource``).
    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.provide((any OfficeProfileSource).self, OfficeProfiles(blobs: BlobStore(dataDirectory: context.database.dataDirectory)))
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(OfficeService(context: context, blobs: BlobStore(dataDirectory: context.database.dataDirectory)))
    }

}

/// Reads and writes the single `office_profile` row.
enum OfficeStore {
    private static let lastDecoded = Mutex<(json: String, profile: Conton_Office_V1_OfficeProfile)?>(nil)

    static func profile(in db: Database) throws -> Conton_Office_V1_OfficeProfile? {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM office_profile WHERE id = 1")) else { return nil }
        // Decoding the JSON is most of a read; a settlement reads the profile once per receipt, a
        // bank's retorno thousands of times in one transaction. The last decoding is kept, keyed by
        // the stored JSON itself.
        let json: String = row["profile_json"]
        var profile: Conton_Office_V1_OfficeProfile
        if let hit = lastDecoded.withLock({ $0?.json == json ? $0?.profile : nil }) {
            profile = hit
        } else {
            profile = try Conton_Office_V1_OfficeProfile(jsonString: json)
            lastDecoded.withLock { [profile] in $0 = (json, profile) }
        }
        profile.updatedAtMs = row["updated_at_ms"]
        if let sha: String = row["logo_sha256"] {
            var logo = Conton_Office_V1_LogoInfo()
            logo.sha256 = sha
            logo.contentType = row["logo_content_type"]
            logo.width = row["logo_width"]
            logo.height = row["logo_height"]
            logo.sizeBytes = row["logo_size"]
            logo.updatedAtMs = row["logo_updated_at_ms"]
            profile.logo = logo
        }
        return profile
    }

    /// Stores the editable parts (logo and timestamps are columns of their own).
    static func save(_ profile: Conton_Office_V1_OfficeProfile, now: Int64, in db: Database) throws {
        var editable = profile
        editable.clearLogo()
        editable.updatedAtMs = 0
        try db.execute(sql: """
            INSERT INTO office_profile (id, profile_json, updated_at_ms) VALUES (1, ?, ?)
            ON CONFLICT (id) DO UPDATE SET profile_json = excluded.profile_json, updated_at_ms = excluded.updated_at_ms
            """, arguments: [try editable.jsonString(), now])
    }
}

/// ``OfficeCapability/OfficeProfileSource`` over `office_profile`.
struct OfficeProfiles: OfficeProfileSource {
    let blobs: BlobStore

    func profile(in db: Database) throws -> Conton_Office_V1_OfficeProfile? {
        try OfficeStore.profile(in: db)
    }

    func logoImage(in db: Database) throws -> [UInt8]? {
        guard let profile = try OfficeStore.profile(in: db), profile.hasLogo else { return nil }
        return try? blobs.get(profile.logo.sha256)
    }
}
