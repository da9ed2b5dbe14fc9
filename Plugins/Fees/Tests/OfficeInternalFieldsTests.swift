import ContonAPI
import ContonKit
import ContonProto
import ContonTesting
import GRPCCore
import Testing

/// A client principal never receives the office's internal fields (`[(conton.rpc.v1.office_internal)
/// = true]`: client notes, receivable and payment notes, cancel reasons), whatever method carries
/// them; staff do. The methods to check are found, not listed: every method a client principal
/// may call whose response holds such a field (read from the descriptor set, independently of the
/// generator). Each must have a check here, or the test fails.
@Suite struct OfficeInternalFieldsTests {
    /// The descriptor set's messages and methods, read with ContonProto's dynamic messages.
    struct Schema {
        var messages: [String: DynamicMessage] = [:]
        /// Full method name → output type.
        var outputs: [String: String] = [:]

        init() throws {
            let set = try ProtoCodec.decode(ProtoRegistry.fileDescriptorSet, messageName: "google.protobuf.FileDescriptorSet")
            for file in set.repeated(1) as [DynamicMessage] {
                let package: String = file.singular(2)
                func add(_ m: DynamicMessage, _ scope: String) {
                    let name = scope + "." + (m.singular(1) as String)
                    messages[name] = m
                    for nested in m.repeated(3) as [DynamicMessage] { add(nested, name) }
                }
                for m in file.repeated(4) as [DynamicMessage] { add(m, package) }
                for service in file.repeated(6) as [DynamicMessage] {
                    for method in service.repeated(2) as [DynamicMessage] {
                        let output: String = method.singular(3)
                        outputs["\(package).\(service.singular(1) as String)/\(method.singular(1) as String)"] = String(output.dropFirst())
                    }
                }
            }
        }

        /// The dotted paths of the office-internal fields a message holds (nested ones too).
        func internalPaths(_ type: String, seen: Set<String> = []) -> [String] {
            guard let m = messages[type], !seen.contains(type) else { return [] }
            var out: [String] = []
            for field in m.repeated(2) as [DynamicMessage] {
                let name: String = field.singular(1)
                let options: DynamicMessage? = field.optional(8)
                if options?.unknownFields.fields.contains(where: { $0.number == 51001 && $0.data != [0] }) == true { out.append(name) }
                let typeName: String = field.singular(6)
                if !typeName.isEmpty {
                    out += internalPaths(String(typeName.dropFirst()), seen: seen.union([type])).map { name + "." + $0 }
                }
            }
            return out
        }
    }

    @Test func clientsNeverReceiveOfficeInternalFieldsStaffDo() async throws {
        let schema = try Schema()
        try await FeesTest.run { t in
            let client = ClientIdentity(userID: "u", email: "e", name: "n", clientID: "c")
            let exposed = Set(t.policies.compactMap { method, policy -> String? in
                guard policy.decide(.client(client)) == .allow else { return nil }
                let name = method.fullyQualifiedMethod
                return schema.internalPaths(schema.outputs[name] ?? "").isEmpty ? nil : name
            })
            // Every method of the descriptor set that carries such fields is served here (a
            // plugin's method outside this server would escape the check below).
            let served = Set(t.policies.keys.map(\.fullyQualifiedMethod))
            let holding = Set(schema.outputs.keys.filter { !schema.internalPaths(schema.outputs[$0]!).isEmpty })
            #expect(holding.isSubset(of: served), "not served by this test: \(holding.subtracting(served).sorted())")
            #expect(holding.count >= 8)
            // Data with every internal field set.
            var c = Conton_Clients_V1_Client()
            c.personType = .individual
            c.name = "Cliente Sigiloso"
            c.document = "111.444.777-35"
            c.email = "sigiloso@example.com"
            c.notes = "alpha internal note"
            var create = Conton_Clients_V1_CreateClientRequest()
            create.client = c
            let created = try await t.clients.createClient(create, metadata: t.owner).client
            #expect(created.notes == "alpha internal note")
            var receivable = Conton_Fees_V1_CreateReceivableRequest()
            receivable.clientId = created.id
            receivable.description = "Honorários"
            receivable.amountCents = 10_000
            receivable.dueDate = "2024-01-10"
            receivable.notes = "cobrar com cuidado"
            let open = try await t.receivables.createReceivable(receivable, metadata: t.owner).receivable
            var settle = Conton_Fees_V1_SettleReceivableRequest()
            settle.receivableId = open.id
            settle.paymentDate = "2024-01-10"
            settle.amountPaidCents = 10_000
            settle.method = .pix
            settle.notes = "pagou após insistência"
            _ = try await t.receivables.settleReceivable(settle, metadata: t.owner)
            let other = try await t.create(client: created.id, amount: 5_000, due: "2024-02-10")
            var cancel = Conton_Fees_V1_CancelReceivableRequest()
            cancel.receivableId = other.id
            cancel.reason = "cliente em negociação, não cobrar"
            _ = try await t.receivables.cancelReceivable(cancel, metadata: t.owner)
            let portal = InProcessTestServer.as(.client(created.id))

            /// Each exposed method's call, made as `metadata`, and what it answered.
            var checks: [String: (Metadata) async throws -> any OfficeInternalFields] = [:]
            checks["conton.clients.v1.Clients/GetClient"] = { md in
                var r = Conton_Clients_V1_GetClientRequest()
                r.clientId = created.id
                return try await t.clients.getClient(r, metadata: md)
            }
            checks["conton.fees.v1.Receivables/ListReceivables"] = { md in
                try await t.receivables.listReceivables(Conton_Fees_V1_ListReceivablesRequest(), metadata: md)
            }
            for id in [open.id, other.id] {
                checks["conton.fees.v1.Receivables/GetReceivable" + (id == open.id ? "" : "#cancelled")] = { md in
                    var r = Conton_Fees_V1_GetReceivableRequest()
                    r.receivableId = id
                    return try await t.receivables.getReceivable(r, metadata: md)
                }
            }
            let checked = Set(checks.keys.map { String($0.split(separator: "#")[0]) })
            #expect(checked == exposed, "methods a client may call that carry office-internal fields, without a check here: \(exposed.subtracting(checked).sorted())")

            for (name, call) in checks.sorted(by: { $0.key < $1.key }) {
                let method = String(name.split(separator: "#")[0])
                let paths = schema.internalPaths(schema.outputs[method] ?? "")
                let asStaff = try await call(t.owner), asClient = try await call(portal)
                // Staff see at least one internal field filled in; the client none of them.
                #expect(Self.internalTexts(asStaff).contains { !$0.isEmpty }, "\(name): the staff answer has no internal field to hide")
                let leaked = Self.internalTexts(asClient).filter { !$0.isEmpty }
                #expect(leaked.isEmpty, "\(name) sent a client \(leaked) (paths \(paths))")
                // Everything else is the same.
                var redacted = asStaff
                redacted.clearOfficeInternalFields()
                #expect(String(describing: redacted) == String(describing: asClient), "\(name)")
            }
        }
    }

    /// The internal strings found in an answer (every one must be empty for a client).
    static func internalTexts(_ message: any OfficeInternalFields) -> [String] {
        switch message {
        case let m as Conton_Clients_V1_GetClientResponse: [m.client.notes]
        case let m as Conton_Fees_V1_ListReceivablesResponse: m.receivables.flatMap { [$0.notes, $0.cancelReason] + $0.payments.map(\.notes) }
        case let m as Conton_Fees_V1_GetReceivableResponse: [m.receivable.notes, m.receivable.cancelReason] + m.receivable.payments.map(\.notes)
        default: ["unchecked type \(type(of: message))"]
        }
    }
}
