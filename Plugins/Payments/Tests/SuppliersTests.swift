import ContonAPI
import ContonBrazil
import ContonTesting
import GRPCCore
import Testing

/// Fornecedores: registration, search, update with a mask and version, archive, delete; expense
/// categories and cost centres.
@Suite struct SuppliersTests {
    @Test func theContractsSupplierIsCreatedNormalisedAndUnique() async throws {
        try await PaymentsTest.run { t in
            // The contract example, as JSON through the generated types.
            var r = Conton_Payments_V1_CreateSupplierRequest()
            r.supplier.personType = .company
            r.supplier.name = "  Imobiliária Central Ltda "
            r.supplier.document = "11.222.333/0001-81"
            r.supplier.emails = ["Financeiro@Central.com.br"]
            r.supplier.phones = ["(11) 3333-4444"]
            r.supplier.pix.type = .cnpj
            r.supplier.pix.value = "11.222.333/0001-81"
            r.supplier.bankAccount.bankCode = "341"
            r.supplier.bankAccount.agency = "0123"
            r.supplier.bankAccount.account = "45678"
            r.supplier.bankAccount.accountDigit = "9"
            r.supplier.address.cep = "01310-100"
            r.supplier.address.uf = "sp"
            let s = try await t.suppliers.createSupplier(r, metadata: t.owner).supplier
            #expect(s.name == "Imobiliária Central Ltda" && s.document == "11222333000181" && s.documentFormatted == "11.222.333/0001-81")
            #expect(s.emails == ["financeiro@central.com.br"] && s.pix.value == "11222333000181" && s.address.cep == "01310100" && s.address.uf == "SP")
            #expect(s.status == .active && s.version == 1 && !s.id.isEmpty)

            // The same CNPJ, typed bare: ALREADY_EXISTS naming the holder.
            r.supplier.document = "11222333000181"
            let taken = await failure { _ = try await t.suppliers.createSupplier(r, metadata: t.owner) }
            #expect(taken?.code == .alreadyExists)
            #expect(taken?.details?.reason?.reason == "SUPPLIER_DOCUMENT_TAKEN" && taken?.details?.resource?.name == s.id)

            // An alphanumeric CNPJ (in force since July 2026) is a supplier's document too.
            let alpha = try CNPJ(base: "12ABC34501DE").value
            let second = try await t.supplier("Fornecedor Alfa", n: 2) { $0.document = alpha }
            #expect(second.document == alpha)

            var get = Conton_Payments_V1_GetSupplierRequest()
            get.supplierId = s.id
            #expect(try await t.suppliers.getSupplier(get, metadata: t.owner).supplier == s)
            get.supplierId = "999"
            #expect(await failure { _ = try await t.suppliers.getSupplier(get, metadata: t.owner) }?.code == .notFound)
        }
    }

    @Test func everyViolationIsReportedAtOnceAndNothingIsWritten() async throws {
        try await PaymentsTest.run { t in
            var r = Conton_Payments_V1_CreateSupplierRequest()
            r.supplier.personType = .individual
            r.supplier.name = ""
            r.supplier.tradeName = "Nome fantasia de PF"
            r.supplier.document = "123.456.789-00"
            r.supplier.emails = ["ok@example.com", "não é e-mail"]
            r.supplier.phones = ["12"]
            r.supplier.pix.type = .phone
            r.supplier.pix.value = "(11) 3333-4444"
            r.supplier.bankAccount.bankCode = "34"
            r.supplier.bankAccount.agency = "abc"
            r.supplier.bankAccount.account = "1"
            r.supplier.meiPaidToOwnerCpf = true
            r.supplier.defaultCategoryId = "424242"
            let error = try #require(await failure { _ = try await t.suppliers.createSupplier(r, metadata: t.owner) })
            #expect(error.code == .invalidArgument)
            #expect(Set(error.violations.keys) == [
                "supplier.name", "supplier.trade_name", "supplier.document", "supplier.emails[1]", "supplier.phones[0]", "supplier.pix.value",
                "supplier.bank_account.bank_code", "supplier.bank_account.agency", "supplier.bank_account.account_digit",
                "supplier.mei_paid_to_owner_cpf", "supplier.owner_cpf",
            ])
            // The category is checked once the fields are right, still before anything is written.
            r = Conton_Payments_V1_CreateSupplierRequest()
            r.supplier.personType = .company
            r.supplier.name = "X"
            r.supplier.document = "11.222.333/0001-81"
            r.supplier.defaultCategoryId = "424242"
            #expect(await failure { _ = try await t.suppliers.createSupplier(r, metadata: t.owner) }?.violations.keys.sorted() == ["supplier.default_category_id"])
            #expect(try await t.count("SELECT count(*) FROM payments_supplier") == 0)
        }
    }

    @Test func searchFindsNamesWithoutAccentsDocumentsWithOrWithoutPunctuationAndEmails() async throws {
        try await PaymentsTest.run { t in
            let central = try await t.supplier("Imobiliária Central Ltda", n: 1) { $0.tradeName = "Central Imóveis"; $0.emails = ["contas@central.com.br"] }
            let joao = try await t.supplier("João Elétrica ME", n: 2)
            var pf = Conton_Payments_V1_CreateSupplierRequest()
            pf.supplier.personType = .individual
            pf.supplier.name = "Maria da Conceição"
            pf.supplier.document = try CPF(base: "123456789").formatted
            let maria = try await t.suppliers.createSupplier(pf, metadata: t.owner).supplier
            func search(_ configure: (inout Conton_Payments_V1_ListSuppliersRequest) -> Void) async throws -> [String] {
                var r = Conton_Payments_V1_ListSuppliersRequest()
                configure(&r)
                return try await t.suppliers.listSuppliers(r, metadata: t.owner).suppliers.map(\.id)
            }
            #expect(try await search { $0.query = "imobiliaria" } == [central.id])
            #expect(try await search { $0.query = "IMOVEIS" } == [central.id])
            #expect(try await search { $0.query = "joao eletr" } == [joao.id])
            #expect(try await search { $0.query = "conceicao" } == [maria.id])
            #expect(try await search { $0.document = "11.222.333/0001" } == [central.id])
            #expect(try await search { $0.document = "112223330001" } == [central.id])
            #expect(try await search { $0.query = maria.documentFormatted } == [maria.id])
            #expect(try await search { $0.query = String(maria.document.prefix(6)) } == [maria.id])
            #expect(try await search { $0.email = "CENTRAL.com" } == [central.id])
            // By name (accent-insensitive), paged.
            #expect(try await search { _ in } == [central.id, joao.id, maria.id])
            var r = Conton_Payments_V1_ListSuppliersRequest()
            r.pageSize = 2
            let first = try await t.suppliers.listSuppliers(r, metadata: t.owner)
            #expect(first.suppliers.map(\.id) == [central.id, joao.id] && first.totalCount == 3)
            r.pageToken = first.nextPageToken
            #expect(try await t.suppliers.listSuppliers(r, metadata: t.owner).suppliers.map(\.id) == [maria.id])
        }
    }

    @Test func updateTakesAMaskAndTheVersionAndPayablesFollowTheSupplier() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier("Contabilizei Software", n: 3) { $0.emails = ["a@example.com"] }
            let payable = try await t.create(s.id, amount: 10_000, due: "2026-12-15")[0]
            var r = Conton_Payments_V1_UpdateSupplierRequest()
            r.supplier.id = s.id
            r.supplier.version = s.version
            r.supplier.name = "Contabilizei Software S.A."
            r.supplier.meiPaidToOwnerCpf = true
            r.supplier.ownerCpf = try CPF(base: "987654321").formatted
            r.updateMask.paths = ["name"]
            let renamed = try await t.suppliers.updateSupplier(r, metadata: t.owner).supplier
            #expect(renamed.name == "Contabilizei Software S.A." && renamed.emails == ["a@example.com"] && renamed.version == 2 && !renamed.meiPaidToOwnerCpf)
            // A stale version: ABORTED; nothing changes.
            #expect(await failure { _ = try await t.suppliers.updateSupplier(r, metadata: t.owner) }?.code == .aborted)
            // The MEI paid to its owner's CPF: the payable shows where the money must go.
            r.supplier.version = renamed.version
            r.updateMask.paths = ["mei_paid_to_owner_cpf", "owner_cpf"]
            let mei = try await t.suppliers.updateSupplier(r, metadata: t.owner).supplier
            let owner = try CPF(base: "987654321")
            #expect(mei.meiPaidToOwnerCpf && mei.ownerCpf == owner.digits)
            let p = try await t.get(payable.id)
            #expect(p.supplierName == "Contabilizei Software S.A." && p.payeeDocumentFormatted == owner.formatted)
            #expect(p.supplierDocumentFormatted == s.documentFormatted)
            // Unknown and output-only paths are refused by name.
            r.supplier.version = mei.version
            r.updateMask.paths = ["nope", "version"]
            #expect(Set(try #require(await failure { _ = try await t.suppliers.updateSupplier(r, metadata: t.owner) }).violations.keys) == ["update_mask[0]", "update_mask[1]"])
        }
    }

    @Test func archivedSuppliersTakeNoNewPayablesAndSuppliersWithPayablesAreNotDeleted() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier(n: 4)
            let lonely = try await t.supplier("Sem pagamentos", n: 5)
            _ = try await t.create(s.id, amount: 5_000, due: "2026-12-20")
            var archive = Conton_Payments_V1_ArchiveSupplierRequest()
            archive.supplierId = s.id
            archive.archived = true
            #expect(try await t.suppliers.archiveSupplier(archive, metadata: t.owner).supplier.status == .archived)
            let refused = await failure { _ = try await t.create(s.id, amount: 5_000, due: "2026-12-21") }
            #expect(refused?.violations["payable.supplier_id"]?.contains("archived") == true)
            var delete = Conton_Payments_V1_DeleteSupplierRequest()
            delete.supplierId = s.id
            let held = await failure { _ = try await t.suppliers.deleteSupplier(delete, metadata: t.owner) }
            #expect(held?.code == .failedPrecondition && held?.details?.reason?.reason == "SUPPLIER_HAS_PAYABLES")
            // Listed only when asking for archived ones.
            var list = Conton_Payments_V1_ListSuppliersRequest()
            #expect(try await t.suppliers.listSuppliers(list, metadata: t.owner).suppliers.map(\.id) == [lonely.id])
            list.status = .archived
            #expect(try await t.suppliers.listSuppliers(list, metadata: t.owner).suppliers.map(\.id) == [s.id])
            // Restored, it takes payables again; one without payables is deleted.
            archive.archived = false
            _ = try await t.suppliers.archiveSupplier(archive, metadata: t.owner)
            #expect(try await t.create(s.id, amount: 5_000, due: "2026-12-21").count == 1)
            delete.supplierId = lonely.id
            _ = try await t.suppliers.deleteSupplier(delete, metadata: t.owner)
            #expect(try await t.count("SELECT count(*) FROM payments_supplier") == 1)
        }
    }

    @Test func categoriesShipAsADefaultSetAndCostCentresAreTheOfficesOwn() async throws {
        try await PaymentsTest.run { t in
            var list = Conton_Payments_V1_ListClassifiersRequest()
            list.kind = .category
            let shipped = try await t.suppliers.listClassifiers(list, metadata: t.owner).classifiers
            #expect(Set(shipped.map(\.name)) == ["Aluguel", "Energia", "Água", "Telefone/Internet", "Salários", "Pró-labore", "Impostos", "Software",
                                                  "Material de escritório", "Serviços de terceiros", "Tarifas bancárias", "Outros"])
            list.kind = .costCenter
            #expect(try await t.suppliers.listClassifiers(list, metadata: t.owner).classifiers.isEmpty)

            var create = Conton_Payments_V1_CreateClassifierRequest()
            create.kind = .costCenter
            create.name = "Filial Campinas"
            let centre = try await t.suppliers.createClassifier(create, metadata: t.owner).classifier
            create.name = "filial campinas"
            #expect(await failure { _ = try await t.suppliers.createClassifier(create, metadata: t.owner) }?.code == .alreadyExists)
            create.kind = .category
            create.name = "aluguel"
            #expect(await failure { _ = try await t.suppliers.createClassifier(create, metadata: t.owner) }?.code == .alreadyExists)
            create.kind = .unspecified
            create.name = ""
            #expect(Set(try #require(await failure { _ = try await t.suppliers.createClassifier(create, metadata: t.owner) }).violations.keys) == ["kind", "name"])

            // Used on a payable: not deleted, archived instead; an archived one is not offered.
            let rent = try #require(shipped.first { $0.name == "Aluguel" })
            let s = try await t.supplier(n: 6)
            let p = try await t.create(s.id, amount: 300_000, due: "2026-12-05") {
                $0.payable.categoryId = rent.id
                $0.payable.costCenterId = centre.id
            }[0]
            #expect(p.categoryName == "Aluguel" && p.costCenterName == "Filial Campinas")
            var delete = Conton_Payments_V1_DeleteClassifierRequest()
            delete.id = centre.id
            #expect(await failure { _ = try await t.suppliers.deleteClassifier(delete, metadata: t.owner) }?.details?.reason?.reason == "CLASSIFIER_IN_USE")
            var update = Conton_Payments_V1_UpdateClassifierRequest()
            update.id = centre.id
            update.updateMask.paths = ["archived", "name"]
            update.archived = true
            update.name = "Filial Campinas (encerrada)"
            let archived = try await t.suppliers.updateClassifier(update, metadata: t.owner).classifier
            #expect(archived.archived && archived.name == "Filial Campinas (encerrada)" && archived.payableCount == 1)
            #expect(try await t.get(p.id).costCenterName == "Filial Campinas (encerrada)")
            let refused = await failure { _ = try await t.create(s.id, amount: 1_000, due: "2026-12-05") { $0.payable.costCenterId = centre.id } }
            #expect(refused?.violations["payable.cost_center_id"]?.contains("archived") == true)
            // A category as cost centre is refused by kind.
            let wrongKind = await failure { _ = try await t.create(s.id, amount: 1_000, due: "2026-12-05") { $0.payable.costCenterId = rent.id } }
            #expect(wrongKind?.violations["payable.cost_center_id"] != nil)
            // An unused one is deleted.
            create.kind = .costCenter
            create.name = "Projeto X"
            delete.id = try await t.suppliers.createClassifier(create, metadata: t.owner).classifier.id
            _ = try await t.suppliers.deleteClassifier(delete, metadata: t.owner)
        }
    }

    @Test func theSuppliersDefaultCategoryIsTheNewPayablesCategory() async throws {
        try await PaymentsTest.run { t in
            var list = Conton_Payments_V1_ListClassifiersRequest()
            list.kind = .category
            let energy = try #require(try await t.suppliers.listClassifiers(list, metadata: t.owner).classifiers.first { $0.name == "Energia" })
            let s = try await t.supplier("Enel Distribuição", n: 7) { $0.defaultCategoryId = energy.id }
            #expect(try await t.create(s.id, amount: 45_000, due: "2026-12-12")[0].categoryName == "Energia")
        }
    }
}
