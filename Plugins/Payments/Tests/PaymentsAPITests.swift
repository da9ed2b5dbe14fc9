import ContonAPI
import ContonKit
import ContonTesting
import ContonTransport
import DocumentsCapability
import Foundation
import GRPCCore
import Testing

/// The boleto line decoder through the API, attachments from the files plugin's office area, the
/// printed list, and who may call what: staff and service scopes, never a client.
@Suite struct PaymentsAPITests {
    /// Bradesco, R$ 987,65, factor 1656 of the second cycle: due 2026-12-10 (built from the
    /// FEBRABAN rules by Tests/support/boleto_lines.py, which checks every digit independently).
    static let bradesco = "23793.38102 90000.001231 45005.432104 2 16560000098765"

    @Test func aPastedLineIsDecodedAndAPayableWithTheSameLineIsADuplicate() async throws {
        try await PaymentsTest.run { t in
            var r = Conton_Payments_V1_DecodeBoletoLineRequest()
            r.line = Self.bradesco
            let decoded = try await t.payables.decodeBoletoLine(r, metadata: t.owner)
            #expect(decoded.kind == .bank && decoded.bankCode == "237" && decoded.bankName == "Bradesco")
            #expect(decoded.amountCents == 98_765 && decoded.dueDate == "2026-12-10" && decoded.duplicatePayableIds.isEmpty)
            #expect(decoded.line == "23793381029000000123145005432104216560000098765" && decoded.barcode.count == 44)

            let s = try await t.supplier()
            let p = try await t.create(s.id, amount: 98_765, due: "2026-12-10") { $0.payable.boletoLine = Self.bradesco }[0]
            #expect(p.boletoLine == decoded.line)
            #expect(try await t.payables.decodeBoletoLine(r, metadata: t.owner).duplicatePayableIds == [p.id])

            // A utility slip (arrecadação, 48 digits, mod 11).
            r.line = "84830000000-1 89900004875-5 00162951898-8 72875166466-3"
            let telecom = try await t.payables.decodeBoletoLine(r, metadata: t.owner)
            #expect(telecom.kind == .collection && telecom.segment == 4 && telecom.amountCents == 8_990 && telecom.dueDate.isEmpty)

            // A wrong check digit: which one, and what it should be.
            r.line = "23793.38102 90000.001232 45005.432104 2 16560000098765"
            let wrong = await failure { _ = try await t.payables.decodeBoletoLine(r, metadata: t.owner) }
            #expect(wrong?.code == .invalidArgument)
            #expect(wrong?.violations["line"] == "the check digit of field 2 (digit 21) is 2; it should be 1")
            r.line = "1234"
            #expect(await failure { _ = try await t.payables.decodeBoletoLine(r, metadata: t.owner) }?.violations["line"]?.contains("47 digits") == true)
        }
    }

    @Test func attachmentsAreTheOfficesOwnFiles() async throws {
        try await PaymentsTest.run { t in
            let files = Conton_Files_V1_Files.Client(wrapping: t.grpc)
            func upload(_ configure: (inout Conton_Files_V1_UploadMetadata) -> Void, as who: Metadata? = nil) async throws -> Conton_Files_V1_File {
                let content = Array("%PDF-1.4 boleto de teste".utf8)
                var m = Conton_Files_V1_UploadMetadata()
                m.fileName = "boleto.pdf"
                m.size = Int64(content.count)
                configure(&m)
                let first = m
                return try await files.upload(request: StreamingClientRequest(metadata: who ?? t.owner) { writer in
                    var head = Conton_Files_V1_UploadRequest()
                    head.metadata = first
                    try await writer.write(head)
                    var chunk = Conton_Files_V1_UploadRequest()
                    chunk.chunk = content
                    try await writer.write(chunk)
                }).file
            }
            let office = try await upload { $0.officeArea = true }
            #expect(office.clientId.isEmpty)
            // A client's file can't be attached: payables are the office's.
            var c = Conton_Clients_V1_CreateClientRequest()
            c.client.personType = .company
            c.client.name = "Cliente Ltda"
            c.client.document = "11.444.777/0001-61"
            c.client.email = "cliente@example.com"
            let client = try await Conton_Clients_V1_Clients.Client(wrapping: t.grpc).createClient(c, metadata: t.owner).client
            let theirs = try await upload { $0.clientId = client.id }
            // office_area with a client, or from a client login, is refused.
            #expect(await failure { _ = try await upload { $0.officeArea = true; $0.clientId = client.id } }?.violations["metadata.client_id"] != nil)
            #expect(await failure { _ = try await upload({ $0.officeArea = true }, as: InProcessTestServer.as(.client(client.id))) }?.code != nil)

            let s = try await t.supplier()
            let p = try await t.create(s.id, amount: 1_000, due: "2026-12-10") { $0.payable.attachmentFileIds = [office.id] }[0]
            #expect(p.attachmentFileIds == [office.id])
            let refused = try #require(await failure { _ = try await t.create(s.id, amount: 1_000, due: "2026-12-10") {
                $0.payable.attachmentFileIds = [office.id, theirs.id, "nope"]
            } })
            #expect(refused.violations["payable.attachment_file_ids[1]"]?.contains("client's area") == true)
            #expect(refused.violations["payable.attachment_file_ids[2]"] == "no file has id nope")
            // The client never sees the office's file.
            var list = Conton_Files_V1_ListFilesRequest()
            list.pageSize = 100
            #expect(try await files.listFiles(list, metadata: InProcessTestServer.as(.client(client.id))).files.map(\.id) == [theirs.id])
        }
    }

    @Test func theListPrintsAsPDFAndCSVWithItsTotals() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let created = try await t.create(s.id, amount: 300_000, due: "2026-12-10", description: "Licença anual do sistema", instalments: 3)
            _ = try await t.settle(created[0].id, interest: 500)
            func export(_ format: Conton_Documents_V1_DocumentFormat) async throws -> (Conton_Documents_V1_DocumentHeader, [UInt8]) {
                var r = Conton_Payments_V1_ExportPayablesRequest()
                r.filter.period.from = "2026-12-01"
                r.filter.period.to = "2027-02-28"
                r.format = format
                return try await t.payables.exportPayables(r, metadata: t.owner) { try await DocumentReceiver.collect($0.messages) }
            }
            let (pdfHeader, pdf) = try await export(.pdf)
            #expect(pdfHeader.contentType == "application/pdf")
            try PopplerTools.keep(pdf, as: "payables-list.pdf")
            let text = try await PopplerTools.text(pdf).joined(separator: "\n")
            for expected in ["Pagamentos", "Licença anual do sistema (1/3)", "Licença anual do sistema (3/3)", "Imobiliária Central Ltda",
                             "R$ 3.000,00", "R$ 1.005,00", "Pago", "Pendente", "Total geral", "Vencimento de 01/12/2026 a 28/02/2027"] {
                #expect(text.contains(expected), "the PDF shows \(expected)")
            }
            let (csvHeader, csv) = try await export(.csv)
            #expect(csvHeader.contentType.hasPrefix("text/csv"))
            let lines = String(decoding: csv, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.count == 1 + 3 + 5)
            #expect(lines[1].contains("Licença anual do sistema (1/3)") && lines[1].contains(";1005,00;"))
            #expect(lines.last?.hasPrefix("Total;;;3;") == true && lines.last?.contains("3000,00") == true)
            // Page fields are refused: a printed list has every match.
            var r = Conton_Payments_V1_ExportPayablesRequest()
            r.filter.pageSize = 10
            r.filter.period.from = "nope"
            let bad = try #require(await failure { try await t.payables.exportPayables(r, metadata: t.owner) { for try await _ in $0.messages {} } })
            #expect(Set(bad.violations.keys) == ["filter.page_size", "filter.period.from"])
        }
    }

    @Test func aClientIsRefusedEveryMethodAndServicesNeedThePaymentsScopes() async throws {
        try await PaymentsTest.run { t in
            let methods = t.policies.keys.filter { $0.service.fullyQualifiedService.hasPrefix("conton.payments.v1.") }
            #expect(methods.count == 31)
            let client = InProcessTestServer.as(.client("any-client"))
            let reader = InProcessTestServer.as(.service(scopes: ["payments:read"]))
            for method in methods {
                func call(_ metadata: Metadata) async -> RPCError.Code? {
                    do {
                        try await t.grpc.serverStreaming(request: ClientRequest(message: [UInt8](), metadata: metadata), descriptor: method,
                                                         serializer: RawBytesCodec(), deserializer: RawBytesCodec(), options: .defaults) { response in
                            for try await _ in response.messages {}
                        }
                        return nil
                    } catch let error as RPCError {
                        return error.code
                    } catch {
                        return .unknown
                    }
                }
                #expect(await call(client) == .permissionDenied, "\(method) as a client")
                #expect(await call([:]) == .unauthenticated, "\(method) signed out")
                // A payments:read key reaches exactly the methods that accept it.
                let readable = t.policies[method]?.description.contains("payments:read") == true
                let code = await call(reader)
                #expect(readable ? code != .permissionDenied : code == .permissionDenied, "\(method) with payments:read")
            }
            // A service with payments:write creates; with payments:read it lists.
            let s = try await t.supplier()
            var create = Conton_Payments_V1_CreatePayablesRequest()
            create.payable.supplierId = s.id
            create.payable.description = "Integração bancária"
            create.payable.amountCents = 1_000
            create.payable.dueDate = "2026-12-15"
            _ = try await t.payables.createPayables(create, metadata: InProcessTestServer.as(.service(scopes: ["payments:write"])))
            #expect(try await t.payables.listPayables(.init(), metadata: reader).totals.count == 1)
        }
    }
}
