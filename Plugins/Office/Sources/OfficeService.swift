import ContonAPI
import ContonKit
import ContonStore
import GRDB
import GRPCCore

/// `conton.office.v1.Office`.
struct OfficeService: Conton_Office_V1_Office.SimpleServiceProtocol {
    let context: PluginContext
    let blobs: BlobStore

    private func stored() async throws -> Conton_Office_V1_OfficeProfile {
        try await context.read { db in try OfficeStore.profile(in: db) } ?? Conton_Office_V1_OfficeProfile()
    }

    func getProfile(request: Conton_Office_V1_GetProfileRequest, context: ServerContext) async throws -> Conton_Office_V1_GetProfileResponse {
        var response = Conton_Office_V1_GetProfileResponse()
        response.profile = try await stored()
        return response
    }

    func updateProfile(request: Conton_Office_V1_UpdateProfileRequest, context: ServerContext) async throws -> Conton_Office_V1_UpdateProfileResponse {
        let mask = request.updateMask
        let update = request.profile
        let profile = try await self.context.write { m -> Conton_Office_V1_OfficeProfile in
            let current = try OfficeStore.profile(in: m.db) ?? Conton_Office_V1_OfficeProfile()
            let merged = try FieldMaskUpdate.apply(mask, from: update, to: current, outputOnly: ["logo", "updated_at_ms"])
            let (normalized, errors) = ProfileValidation.normalized(merged)
            try errors.check()
            try OfficeStore.save(normalized, now: m.now, in: m.db)
            let paths = mask.isEmpty ? "all given fields" : mask.joined(separator: ", ")
            m.audit("office_profile", "1", "updated Meus Dados: \(paths)")
            return try OfficeStore.profile(in: m.db)!
        }
        var response = Conton_Office_V1_UpdateProfileResponse()
        response.profile = profile
        return response
    }

    func setLogo(request: Conton_Office_V1_SetLogoRequest, context: ServerContext) async throws -> Conton_Office_V1_SetLogoResponse {
        let bytes = request.image
        let image: LogoImage
        do {
            image = try LogoImage(bytes)
        } catch {
            throw FieldErrors.single("image", error.description)
        }
        // The blob is durable before the row that points to it commits.
        let sha: String
        do {
            sha = try blobs.put(bytes)
        } catch {
            throw ServiceError(.unavailable, "could not store the logo: \(error)")
        }
        let logo = try await self.context.write { m -> Conton_Office_V1_LogoInfo in
            if try OfficeStore.profile(in: m.db) == nil { try OfficeStore.save(.init(), now: m.now, in: m.db) }
            try m.db.execute(sql: """
                UPDATE office_profile SET logo_sha256 = ?, logo_content_type = ?, logo_width = ?, logo_height = ?, logo_size = ?,
                  logo_updated_at_ms = ?
                WHERE id = 1
                """, arguments: [sha, image.contentType, image.width, image.height, bytes.count, m.now])
            m.audit("office_profile", "1", "set the logo (\(image.contentType), \(image.width)×\(image.height), \(bytes.count) bytes)")
            return try OfficeStore.profile(in: m.db)!.logo
        }
        var response = Conton_Office_V1_SetLogoResponse()
        response.logo = logo
        return response
    }

    func getLogo(request: Conton_Office_V1_GetLogoRequest, context: ServerContext) async throws -> Conton_Office_V1_GetLogoResponse {
        let profile = try await stored()
        guard profile.hasLogo else { throw ServiceError(.notFound, "the office has no logo yet", reason: "NO_LOGO") }
        var response = Conton_Office_V1_GetLogoResponse()
        response.logo = profile.logo
        do {
            response.image = try blobs.get(profile.logo.sha256)
        } catch {
            throw ServiceError(.dataLoss, "the logo file is missing or damaged: \(error)")
        }
        return response
    }

    func getPublicCard(request: Conton_Office_V1_GetPublicCardRequest, context: ServerContext) async throws -> Conton_Office_V1_GetPublicCardResponse {
        let p = try await stored()
        var card = Conton_Office_V1_PublicCard()
        card.legalName = p.registration.legalName
        card.tradeName = p.registration.tradeName
        card.cnpj = p.registration.cnpj
        card.address = p.registration.address
        card.phone = p.registration.phone
        card.mobile = p.registration.mobile
        card.email = p.registration.email
        card.website = p.registration.website
        if p.hasPix { card.pix = p.pix }
        if p.hasLogo { card.logo = p.logo }
        card.accountantName = p.accountant.name
        card.accountantCrc = [p.accountant.crcNumber, p.accountant.crcUf].filter { !$0.isEmpty }.joined(separator: "/")
        var response = Conton_Office_V1_GetPublicCardResponse()
        response.card = card
        return response
    }
}
