import ContonKit
import GRDB
import GRPCCore

/// The office's clients as other plugins see them: whether a client exists (and its name and
/// document, for messages and documents) and the registration data fee generation needs. The
/// clients plugin provides it; every read runs inside the caller's transaction.
///
/// ```swift
/// public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self] }
/// let clients = try context.capabilities.require((any ClientRegistry).self)
/// let client = try clients.require(clientID, allowArchived: false, in: db)   // NOT_FOUND when unknown
/// ```
public protocol ClientRegistry: Sendable {
    /// The client `id`, or nil when there is no such client.
    func client(id: String, in db: Database) throws -> ClientSummary?
    /// The fee defaults of every client of `ids` that exists, by id (unknown ids are absent).
    func feeDefaults(_ ids: [String], in db: Database) throws -> [String: ClientFeeDefaults]
    /// The clients of `ids` that exist, by id (one query for a page of records of many clients).
    func clients(ids: [String], in db: Database) throws -> [String: ClientSummary]
    /// The clients whose CPF/CNPJ (normalised: digits and upper-case letters) is one of
    /// `documents`, by document (documents no client has are absent).
    func clients(documents: [String], in db: Database) throws -> [String: ClientSummary]
    /// What the obligations calendar needs of the client `id`, or of every client not archived
    /// (`id` nil), in id order.
    func obligationProfiles(_ id: String?, in db: Database) throws -> [ClientObligationProfile]
    /// The postal address of client `id` as registered (a boleto's payer), or nil when there is
    /// no such client; its fields are empty where the registration has none.
    func postalAddress(of id: String, in db: Database) throws -> ClientPostalAddress?
    /// Sets client `id`'s default monthly fee (a readjustment), in the caller's transaction, as
    /// an edit of the client would: its version bumped, an audit row saying `why`, and
    /// `client.updated` naming `monthly_fee_cents`.
    /// - Throws: NOT_FOUND for an unknown client, INVALID_ARGUMENT for an amount the client's
    ///   registration does not accept.
    func setMonthlyFee(of id: String, to cents: Int64, why: String, in m: inout Mutation) throws
}

extension ClientRegistry {
    /// The client `id`: INVALID_ARGUMENT naming `field` for an empty id,
    /// NOT_FOUND when there is none, FAILED_PRECONDITION when it is archived and
    /// `allowArchived` is false.
    public func require(_ id: String, allowArchived: Bool = true, field: String = "client_id", in db: Database) throws -> ClientSummary {
        // The same answer as the clients plugin's own calls give (ClientStore.require).
        guard !id.isEmpty else { throw FieldErrors.single(field, "is required") }
        guard let client = try client(id: id, in: db) else {
            throw ServiceError.notFound("client", id, type: "conton.clients.v1.Client")
        }
        if client.archived && !allowArchived {
            throw ServiceError(.failedPrecondition, "client \(id) is archived; restore it first", reason: "CLIENT_ARCHIVED",
                               resource: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: id))
        }
        return client
    }
}

/// The few facts of a client other plugins need.
public struct ClientSummary: Sendable, Hashable {
    public var id: String
    /// The person's name (PF) or the razão social (PJ).
    public var name: String
    /// CPF or CNPJ, normalised (digits and upper-case letters only).
    public var document: String
    public var email: String
    public var archived: Bool

    public init(id: String, name: String, document: String, email: String, archived: Bool) {
        self.id = id
        self.name = name
        self.document = document
        self.email = email
        self.archived = archived
    }
}

/// A client's registered address (`conton.clients.v1.Address`).
public struct ClientPostalAddress: Sendable, Hashable {
    /// 8 digits.
    public var cep: String
    /// Logradouro.
    public var street: String
    public var number: String
    public var complement: String
    /// Bairro.
    public var district: String
    public var city: String
    /// Two-letter state code.
    public var uf: String

    public init(cep: String, street: String, number: String, complement: String, district: String, city: String, uf: String) {
        self.cep = cep
        self.street = street
        self.number = number
        self.complement = complement
        self.district = district
        self.city = city
        self.uf = uf
    }
}

/// What decides which obligations apply to a client: its tax regime and whether it has employees.
public struct ClientObligationProfile: Sendable, Hashable {
    public var clientID: String
    public var name: String
    /// `conton.clients.v1.TaxRegime`'s number (0 unspecified, 1 MEI, 2 Simples Nacional, 3 Lucro
    /// Presumido, 4 Lucro Real, 5 imune/isenta, 6 pessoa física).
    public var taxRegime: Int
    public var hasEmployees: Bool
    public var archived: Bool
    public init(clientID: String, name: String, taxRegime: Int, hasEmployees: Bool, archived: Bool) {
        self.clientID = clientID
        self.name = name
        self.taxRegime = taxRegime
        self.hasEmployees = hasEmployees
        self.archived = archived
    }
}

/// What fee generation needs of a client: the default monthly fee (honorário) and due day of its
/// registration, its name and document, whether it is archived.
public struct ClientFeeDefaults: Sendable, Hashable {
    public var clientID: String
    /// The person's name (PF) or the razão social (PJ).
    public var name: String
    /// CPF or CNPJ, normalised (digits and upper-case letters).
    public var document: String
    /// The formatted CPF or CNPJ: "111.444.777-35".
    public var documentFormatted: String
    /// Default monthly fee in centavos (0: not set).
    public var monthlyFeeCents: Int64
    /// Day of the month fees fall due, 1–31 (0: not set).
    public var feeDueDay: Int
    public var archived: Bool

    public init(clientID: String, name: String, document: String, documentFormatted: String,
                monthlyFeeCents: Int64, feeDueDay: Int, archived: Bool) {
        self.clientID = clientID
        self.name = name
        self.document = document
        self.documentFormatted = documentFormatted
        self.monthlyFeeCents = monthlyFeeCents
        self.feeDueDay = feeDueDay
        self.archived = archived
    }
}

extension Capabilities {
    /// The clients plugin's ``ClientRegistry`` (name `(any ClientRegistry).self` in
    /// `requiredCapabilities`).
    public var clients: any ClientRegistry {
        get throws(CapabilityError) { try require((any ClientRegistry).self) }
    }
}
