import AgendaCapability
import ClientsCapability
import ContonAPI
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore

/// `conton.agenda.v1.Agenda` (docs/AGENDA.md).
struct AgendaService: Conton_Agenda_V1_Agenda.SimpleServiceProtocol {
    let context: PluginContext
    let clients: any ClientRegistry
    let staff: (any StaffDirectory)?
    let zone: OfficeZone
    let zoneID: String
    let calendar = OfficeCalendar()

    var occurrences: AgendaOccurrences { AgendaOccurrences(zone: zone) }

    static func date(_ text: String, _ field: String, into errors: inout FieldErrors) -> CivilDate? {
        guard let d = CivilDate(text) else {
            errors.add(field, text.isEmpty ? "is required (YYYY-MM-DD)" : "'\(text)' is not a date YYYY-MM-DD")
            return nil
        }
        return d
    }

    static let defaultPage = 1_000
    static let maxPage: Int32 = 5_000

    static let outputOnly: Set<String> = ["id", "kind", "obligation_template_id", "competence", "version", "created_at_ms", "updated_at_ms"]

    // MARK: Events

    func createEvent(request: Conton_Agenda_V1_CreateEventRequest, context: ServerContext) async throws -> Conton_Agenda_V1_CreateEventResponse {
        let clients = self.clients, staff = self.staff
        let event = try await self.context.write { m -> AgendaEvent in
            var event = try AgendaEvent.validate(request.event, field: "event", clients: clients, staff: staff, in: m.db)
            event.id = try event.save(now: m.now, in: m.db)
            m.audit("agenda_event", String(event.id), "created event \"\(event.title)\" on \(event.startDate)")
            try m.publish(AgendaEventCreated(eventID: event.id, clientID: event.clientID, title: event.title, startDate: event.startDate.description,
                                             sharedWithClient: event.sharedWithClient, responsibleUserID: event.responsibleUserID))
            return try AgendaEvent.require(event.id, scope: .all, in: m.db)
        }
        var response = Conton_Agenda_V1_CreateEventResponse()
        response.event = event.message
        return response
    }

    func getEvent(request: Conton_Agenda_V1_GetEventRequest, context: ServerContext) async throws -> Conton_Agenda_V1_GetEventResponse {
        let scope = try ClientScope.current()
        var response = Conton_Agenda_V1_GetEventResponse()
        response.event = try await self.context.read { db in try AgendaEvent.require(request.eventId, scope: scope, in: db) }.message
        return response
    }

    func updateEvent(request: Conton_Agenda_V1_UpdateEventRequest, context: ServerContext) async throws -> Conton_Agenda_V1_UpdateEventResponse {
        var errors = FieldErrors()
        if request.event.id <= 0 { errors.add("event.id", "is required") }
        if request.event.version <= 0 { errors.add("event.version", "is required: the version you read (GetEvent)") }
        try errors.check()
        let clients = self.clients, staff = self.staff, mask = request.updateMask.paths
        let event = try await self.context.write { m -> AgendaEvent in
            let current = try AgendaEvent.require(request.event.id, scope: .all, in: m.db)
            guard current.version == request.event.version else {
                throw ServiceError(.aborted, "event \(current.id) changed since version \(request.event.version) (now \(current.version)); read it again and retry",
                                   reason: "VERSION_MISMATCH", resource: ErrorDetails.Resource(type: "conton.agenda.v1.Event", name: String(current.id)))
            }
            if current.kind == .obligation, mask.contains(where: { ["client_id", "start_date", "recurrence"].contains($0) }) {
                throw ServiceError(.failedPrecondition, "an obligation's client, day and recurrence come from its template; edit the template and run GenerateObligations",
                                   reason: "OBLIGATION_FIELDS")
            }
            let merged = try FieldMaskUpdate.apply(mask, from: request.event, to: current.message, outputOnly: Self.outputOnly)
            var event = try AgendaEvent.validate(merged, field: "event", clients: clients, staff: staff, in: m.db)
            event.id = current.id
            event.kind = current.kind
            event.templateID = current.templateID
            event.competence = current.competence
            // Exceptions name the rule's days: a new start or rule drops the ones it no longer gives.
            if event.startDate != current.startDate || event.recurrence != current.recurrence {
                for row in try Row.fetchAll(m.db, sql: "SELECT original_date FROM agenda_exception WHERE event_id = ?", arguments: [event.id]) {
                    let date = CivilDate(row["original_date"] as String)!
                    if !AgendaOccurrences.isOccurrence(date, of: event) {
                        try m.db.execute(sql: "DELETE FROM agenda_exception WHERE event_id = ? AND original_date = ?", arguments: [event.id, date.description])
                    }
                }
            }
            _ = try event.save(now: m.now, in: m.db)
            let fields = mask.isEmpty ? FieldMaskUpdate.populated(request.event, excluding: Self.outputOnly) : Array(mask)
            m.audit("agenda_event", String(event.id), "updated event: \(fields.joined(separator: ", "))")
            return try AgendaEvent.require(event.id, scope: .all, in: m.db)
        }
        var response = Conton_Agenda_V1_UpdateEventResponse()
        response.event = event.message
        return response
    }

    func deleteEvent(request: Conton_Agenda_V1_DeleteEventRequest, context: ServerContext) async throws -> Conton_Agenda_V1_DeleteEventResponse {
        try await self.context.write { m in
            let event = try AgendaEvent.require(request.eventId, scope: .all, in: m.db)
            try m.db.execute(sql: "DELETE FROM agenda_event WHERE id = ?", arguments: [event.id])
            try m.db.execute(sql: "DELETE FROM agenda_reminder_sent WHERE event_id = ?", arguments: [event.id])
            m.audit("agenda_event", String(event.id), "deleted event \"\(event.title)\"")
        }
        return Conton_Agenda_V1_DeleteEventResponse()
    }

    // MARK: Occurrences

    func listOccurrences(request: Conton_Agenda_V1_ListOccurrencesRequest, context: ServerContext) async throws -> Conton_Agenda_V1_ListOccurrencesResponse {
        let scope = try ClientScope.current()
        var errors = FieldErrors()
        let from = Self.date(request.fromDate, "from_date", into: &errors)
        let to = Self.date(request.toDate, "to_date", into: &errors)
        if let from, let to {
            if to < from { errors.add("to_date", "must not be before from_date") }
            else if to.dayNumber - from.dayNumber + 1 > AgendaOccurrences.maxWindowDays {
                errors.add("to_date", "the window is at most 5 years (\(AgendaOccurrences.maxWindowDays) days)")
            }
        }
        if case .unrecognized(let n) = request.kind { errors.add("kind", "\(n) is not an event kind") }
        if !(0...Self.maxPage).contains(request.pageSize) { errors.add("page_size", "must be 1 to \(Self.maxPage) (0: \(Self.defaultPage))") }
        let after = request.pageToken.isEmpty ? nil : AgendaOccurrences.Cursor(token: request.pageToken)
        if !request.pageToken.isEmpty && after == nil { errors.add("page_token", "is not a token this method returned") }
        try errors.check()
        if case .only(let own) = scope, !request.clientId.isEmpty, request.clientId != own {
            return Conton_Agenda_V1_ListOccurrencesResponse()        // another client's: nothing, as if it had none
        }
        let filter = AgendaOccurrences.Filter(scope: scope, clientID: request.clientId, excludeOffice: request.excludeOffice, kind: request.kind)
        let occurrences = self.occurrences
        let limit = request.pageSize == 0 ? Self.defaultPage : Int(request.pageSize)
        let (page, more) = try await self.context.read { db in try occurrences.list(filter, from: from!, through: to!, after: after, limit: limit, in: db) }
        var response = Conton_Agenda_V1_ListOccurrencesResponse()
        response.occurrences = page
        if more, let last = page.last {
            response.nextPageToken = AgendaOccurrences.Cursor(startMs: last.startMs, eventID: last.eventId,
                                                              originalDay: CivilDate(last.originalDate)!.dayNumber).token
        }
        return response
    }

    /// The recurring event and the occurrence a Move/Cancel/Restore names, checked.
    private func occurrence(_ eventID: Int64, _ original: String, in db: Database) throws -> (AgendaEvent, CivilDate) {
        let event = try AgendaEvent.require(eventID, scope: .all, in: db)
        var errors = FieldErrors()
        let date = Self.date(original, "original_date", into: &errors)
        try errors.check()
        guard event.recurrence != nil else {
            throw ServiceError(.failedPrecondition, "event \(eventID) happens once; change its day with UpdateEvent or delete it", reason: "NOT_RECURRING")
        }
        guard AgendaOccurrences.isOccurrence(date!, of: event) else {
            throw FieldErrors.single("original_date", "event \(eventID) has no occurrence on \(original)")
        }
        return (event, date!)
    }

    func moveOccurrence(request: Conton_Agenda_V1_MoveOccurrenceRequest, context: ServerContext) async throws -> Conton_Agenda_V1_MoveOccurrenceResponse {
        let occurrences = self.occurrences
        let moved = try await self.context.write { m -> Conton_Agenda_V1_Occurrence in
            let (event, original) = try occurrence(request.eventId, request.originalDate, in: m.db)
            var errors = FieldErrors()
            let newDate = Self.date(request.newDate, "new_date", into: &errors)
            var minute: Int?
            if !request.newStartTime.isEmpty {
                if event.allDay { errors.add("new_start_time", "must be empty: the event is all-day") }
                else if let m = AgendaEvent.minute(request.newStartTime) { minute = m }
                else { errors.add("new_start_time", "must be a time HH:MM") }
            }
            try errors.check()
            try m.db.execute(sql: """
                INSERT INTO agenda_exception (event_id, original_date, cancelled, new_date, new_start_minute) VALUES (?, ?, 0, ?, ?)
                ON CONFLICT (event_id, original_date) DO UPDATE SET cancelled = 0, new_date = excluded.new_date, new_start_minute = excluded.new_start_minute
                """, arguments: [event.id, original.description, newDate!.description, minute])
            m.audit("agenda_event", String(event.id), "moved the occurrence of \(original) to \(newDate!)\(minute.map { " " + AgendaEvent.time($0) } ?? "")")
            return occurrences.occurrence(event, original: original, exception: .init(cancelled: false, newDate: newDate, newStartMinute: minute))!
        }
        var response = Conton_Agenda_V1_MoveOccurrenceResponse()
        response.occurrence = moved
        return response
    }

    func cancelOccurrence(request: Conton_Agenda_V1_CancelOccurrenceRequest, context: ServerContext) async throws -> Conton_Agenda_V1_CancelOccurrenceResponse {
        try await self.context.write { m in
            let (event, original) = try occurrence(request.eventId, request.originalDate, in: m.db)
            try m.db.execute(sql: """
                INSERT INTO agenda_exception (event_id, original_date, cancelled) VALUES (?, ?, 1)
                ON CONFLICT (event_id, original_date) DO UPDATE SET cancelled = 1, new_date = NULL, new_start_minute = NULL
                """, arguments: [event.id, original.description])
            m.audit("agenda_event", String(event.id), "cancelled the occurrence of \(original)")
        }
        return Conton_Agenda_V1_CancelOccurrenceResponse()
    }

    func restoreOccurrence(request: Conton_Agenda_V1_RestoreOccurrenceRequest, context: ServerContext) async throws -> Conton_Agenda_V1_RestoreOccurrenceResponse {
        let occurrences = self.occurrences
        let restored = try await self.context.write { m -> Conton_Agenda_V1_Occurrence? in
            let (event, original) = try occurrence(request.eventId, request.originalDate, in: m.db)
            try m.db.execute(sql: "DELETE FROM agenda_exception WHERE event_id = ? AND original_date = ?", arguments: [event.id, original.description])
            if m.db.changesCount > 0 { m.audit("agenda_event", String(event.id), "restored the occurrence of \(original)") }
            return occurrences.occurrence(event, original: original, exception: nil)
        }
        var response = Conton_Agenda_V1_RestoreOccurrenceResponse()
        if let restored { response.occurrence = restored }
        return response
    }

    // MARK: Business days

    static func year(_ year: Int32, _ field: String) throws -> Int {
        guard (1900...2200).contains(year) else { throw FieldErrors.single(field, "must be a year from 1900 to 2200") }
        return Int(year)
    }

    func listHolidays(request: Conton_Agenda_V1_ListHolidaysRequest, context: ServerContext) async throws -> Conton_Agenda_V1_ListHolidaysResponse {
        let year = try Self.year(request.year, "year")
        var response = Conton_Agenda_V1_ListHolidaysResponse()
        response.holidays = try await self.context.read { db in
            try OfficeCalendar.entries(years: year...year, in: db).map { entry in
                var h = Conton_Agenda_V1_Holiday()
                h.date = entry.date.description
                h.name = entry.name
                h.closed = entry.closed
                switch entry.kind {
                case .national: h.kind = .national
                case .optionalPoint: h.kind = .optionalPoint
                case .office: h.kind = .office
                }
                h.optionalPoint = entry.point.map(Self.point) ?? .unspecified
                h.officeHolidayId = entry.officeHolidayID ?? 0
                return h
            }
        }
        return response
    }

    static func point(_ p: NationalHolidays.OptionalPoint) -> Conton_Agenda_V1_OptionalPoint {
        switch p {
        case .carnivalMonday: .carnivalMonday
        case .carnivalTuesday: .carnivalTuesday
        case .ashWednesday: .ashWednesday
        case .corpusChristi: .corpusChristi
        }
    }

    func isBusinessDay(request: Conton_Agenda_V1_IsBusinessDayRequest, context: ServerContext) async throws -> Conton_Agenda_V1_IsBusinessDayResponse {
        var errors = FieldErrors()
        let date = Self.date(request.date, "date", into: &errors)
        try errors.check()
        let reason = try await self.context.read { db in try OfficeCalendar.closedReason(date!, in: db) }
        var response = Conton_Agenda_V1_IsBusinessDayResponse()
        response.businessDay = reason == nil
        response.reason = reason ?? ""
        return response
    }

    func addBusinessDays(request: Conton_Agenda_V1_AddBusinessDaysRequest, context: ServerContext) async throws -> Conton_Agenda_V1_AddBusinessDaysResponse {
        var errors = FieldErrors()
        let date = Self.date(request.date, "date", into: &errors)
        if abs(request.days) > 3_660 { errors.add("days", "must be -3660 to 3660") }
        try errors.check()
        let calendar = self.calendar
        var response = Conton_Agenda_V1_AddBusinessDaysResponse()
        response.date = try await self.context.read { db in try calendar.addBusinessDays(Int(request.days), to: date!, in: db) }.description
        return response
    }

    func addOfficeHoliday(request: Conton_Agenda_V1_AddOfficeHolidayRequest, context: ServerContext) async throws -> Conton_Agenda_V1_AddOfficeHolidayResponse {
        let h = request.holiday
        var errors = FieldErrors()
        let name = h.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 100 { errors.add("holiday.name", "must have 1 to 100 characters") }
        if h.year != 0 && !(1900...2200).contains(h.year) { errors.add("holiday.year", "must be 0 (every year) or 1900 to 2200") }
        if !(1...12).contains(h.month) { errors.add("holiday.month", "must be 1 to 12") }
        else if !(1...CivilDate.daysIn(year: h.year == 0 ? 2000 : Int(h.year), month: Int(h.month))).contains(Int(h.day)) {
            errors.add("holiday.day", "is not a day of month \(h.month)")
        }
        switch h.scope {
        case .state, .municipal, .office: break
        default: errors.add("holiday.scope", "must be STATE, MUNICIPAL or OFFICE")
        }
        try errors.check()
        var saved = h
        saved.name = name
        saved.id = try await self.context.write { m in
            try m.db.execute(sql: "INSERT INTO agenda_holiday (name, year, month, day, scope) VALUES (?, ?, ?, ?, ?)",
                             arguments: [name, h.year, h.month, h.day, h.scope.rawValue])
            let id = m.db.lastInsertedRowID
            m.audit("agenda_holiday", String(id), "added holiday \(name) (\(h.year == 0 ? "every year" : String(h.year)), \(h.day)/\(h.month))")
            return id
        }
        var response = Conton_Agenda_V1_AddOfficeHolidayResponse()
        response.holiday = saved
        return response
    }

    func deleteOfficeHoliday(request: Conton_Agenda_V1_DeleteOfficeHolidayRequest, context: ServerContext) async throws -> Conton_Agenda_V1_DeleteOfficeHolidayResponse {
        try await self.context.write { m in
            try m.db.execute(sql: "DELETE FROM agenda_holiday WHERE id = ?", arguments: [request.officeHolidayId])
            guard m.db.changesCount > 0 else { throw ServiceError.notFound("holiday", String(request.officeHolidayId), type: "conton.agenda.v1.OfficeHoliday") }
            m.audit("agenda_holiday", String(request.officeHolidayId), "deleted holiday")
        }
        return Conton_Agenda_V1_DeleteOfficeHolidayResponse()
    }

    static func settings(in db: Database) throws -> Conton_Agenda_V1_CalendarSettings {
        var s = Conton_Agenda_V1_CalendarSettings()
        let closed = try OfficeCalendar.closedPoints(in: db)
        s.closedPoints = NationalHolidays.OptionalPoint.allCases.filter(closed.contains).map(point)
        return s
    }

    func getCalendarSettings(request: Conton_Agenda_V1_GetCalendarSettingsRequest, context: ServerContext) async throws -> Conton_Agenda_V1_GetCalendarSettingsResponse {
        var response = Conton_Agenda_V1_GetCalendarSettingsResponse()
        response.settings = try await self.context.read { db in try Self.settings(in: db) }
        return response
    }

    func updateCalendarSettings(request: Conton_Agenda_V1_UpdateCalendarSettingsRequest, context: ServerContext) async throws -> Conton_Agenda_V1_UpdateCalendarSettingsResponse {
        var errors = FieldErrors()
        var closed = Set<NationalHolidays.OptionalPoint>()
        for (i, p) in request.settings.closedPoints.enumerated() {
            switch p {
            case .carnivalMonday: closed.insert(.carnivalMonday)
            case .carnivalTuesday: closed.insert(.carnivalTuesday)
            case .ashWednesday: closed.insert(.ashWednesday)
            case .corpusChristi: closed.insert(.corpusChristi)
            default: errors.add("settings.closed_points[\(i)]", "is not a ponto facultativo")
            }
        }
        try errors.check()
        let text = NationalHolidays.OptionalPoint.allCases.filter(closed.contains).map(\.rawValue).joined(separator: ",")
        var response = Conton_Agenda_V1_UpdateCalendarSettingsResponse()
        response.settings = try await self.context.write { m in
            try m.db.execute(sql: "UPDATE agenda_settings SET closed_points = ? WHERE id = 1", arguments: [text])
            m.audit("agenda_settings", "1", "the office closes on: \(text.isEmpty ? "no ponto facultativo" : text)")
            return try Self.settings(in: m.db)
        }
        return response
    }

    // MARK: Obligations

    static func template(_ row: Row) -> Conton_Agenda_V1_ObligationTemplate {
        var t = Conton_Agenda_V1_ObligationTemplate()
        t.id = row["id"]
        t.code = row["code"]
        t.name = row["name"]
        t.dueDay = row["due_day"]
        t.nonBusinessDay = (row["non_business_day"] as String) == NonBusinessDayRule.anticipate.rawValue ? .anticipate : .postpone
        t.taxRegimes = (row["tax_regimes"] as String).split(separator: ",").compactMap { Int32($0) }.map { Conton_Clients_V1_TaxRegime(rawValue: $0) }
        t.requiresEmployees = row["requires_employees"]
        t.source = row["source"]
        t.active = row["active"]
        t.sharedWithClient = row["shared_with_client"]
        return t
    }

    func listObligationTemplates(request: Conton_Agenda_V1_ListObligationTemplatesRequest, context: ServerContext) async throws -> Conton_Agenda_V1_ListObligationTemplatesResponse {
        var response = Conton_Agenda_V1_ListObligationTemplatesResponse()
        response.templates = try await self.context.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agenda_obligation_template ORDER BY code").map(Self.template)
        }
        return response
    }

    func saveObligationTemplate(request: Conton_Agenda_V1_SaveObligationTemplateRequest, context: ServerContext) async throws -> Conton_Agenda_V1_SaveObligationTemplateResponse {
        let t = request.template
        var errors = FieldErrors()
        if t.code.isEmpty || t.code.count > 40 || !t.code.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) {
            errors.add("template.code", "must be 1 to 40 characters of A-Z, 0-9 and _")
        }
        let name = t.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 200 { errors.add("template.name", "must have 1 to 200 characters") }
        if !(1...31).contains(t.dueDay) { errors.add("template.due_day", "must be 1 to 31") }
        let rule: NonBusinessDayRule? = switch t.nonBusinessDay {
        case .postpone: .postpone
        case .anticipate: .anticipate
        default: nil
        }
        if rule == nil { errors.add("template.non_business_day", "must be POSTPONE or ANTICIPATE") }
        for (i, r) in t.taxRegimes.enumerated() where !(1...6).contains(r.rawValue) { errors.add("template.tax_regimes[\(i)]", "is not a tax regime") }
        if t.source.count > 1_000 { errors.add("template.source", "must have at most 1000 characters") }
        try errors.check()
        let regimes = Set(t.taxRegimes.map(\.rawValue)).sorted().map(String.init).joined(separator: ",")
        var response = Conton_Agenda_V1_SaveObligationTemplateResponse()
        response.template = try await self.context.write { m in
            if let other = try Int64.fetchOne(m.db, sql: "SELECT id FROM agenda_obligation_template WHERE code = ?", arguments: [t.code]), other != t.id {
                throw ServiceError.alreadyExists("template \(t.code) exists already", reason: "TEMPLATE_CODE_TAKEN",
                                                 existing: ErrorDetails.Resource(type: "conton.agenda.v1.ObligationTemplate", name: String(other)))
            }
            let arguments: StatementArguments = [t.code, name, t.dueDay, rule!.rawValue, regimes, t.requiresEmployees, t.source, t.active, t.sharedWithClient]
            let id: Int64
            if t.id == 0 {
                try m.db.execute(sql: """
                    INSERT INTO agenda_obligation_template (code, name, due_day, non_business_day, tax_regimes, requires_employees, source, active, shared_with_client)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
                id = m.db.lastInsertedRowID
            } else {
                try m.db.execute(sql: """
                    UPDATE agenda_obligation_template SET code = ?, name = ?, due_day = ?, non_business_day = ?, tax_regimes = ?,
                      requires_employees = ?, source = ?, active = ?, shared_with_client = ? WHERE id = ?
                    """, arguments: arguments + [t.id])
                guard m.db.changesCount > 0 else { throw ServiceError.notFound("template", String(t.id), type: "conton.agenda.v1.ObligationTemplate") }
                id = t.id
            }
            m.audit("agenda_obligation_template", String(id), "saved obligation template \(t.code)")
            return Self.template(try Row.fetchOne(m.db, sql: "SELECT * FROM agenda_obligation_template WHERE id = ?", arguments: [id])!)
        }
        return response
    }

    func generateObligations(request: Conton_Agenda_V1_GenerateObligationsRequest, context: ServerContext) async throws -> Conton_Agenda_V1_GenerateObligationsResponse {
        guard (2000...2100).contains(request.year) else { throw FieldErrors.single("year", "must be 2000 to 2100") }
        let clients = self.clients, calendar = self.calendar
        let clientID = request.clientId.isEmpty ? nil : request.clientId
        let result = try await self.context.write { m -> ObligationGenerator.Result in
            if let clientID { _ = try clients.require(clientID, allowArchived: false, in: m.db) }
            let result = try ObligationGenerator.generate(year: Int(request.year), clientID: clientID, clients: clients, calendar: calendar, now: m.now, in: m.db)
            m.audit("agenda", clientID ?? "all", "generated the obligations of \(request.year): \(result.created) new, \(result.updated) moved, \(result.removed) removed")
            try m.publish(ObligationsGenerated(year: Int(request.year), clientID: clientID ?? "", created: result.created, updated: result.updated, removed: result.removed))
            return result
        }
        var response = Conton_Agenda_V1_GenerateObligationsResponse()
        response.created = Int32(result.created)
        response.updated = Int32(result.updated)
        response.unchanged = Int32(result.unchanged)
        response.removed = Int32(result.removed)
        response.clients = Int32(result.clients)
        return response
    }

    // MARK: Feed

    func createFeedToken(request: Conton_Agenda_V1_CreateFeedTokenRequest, context: ServerContext) async throws -> Conton_Agenda_V1_CreateFeedTokenResponse {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let clients = self.clients, by = context.principal.displayName
        let id = try await self.context.write { m in
            if !request.clientId.isEmpty { _ = try clients.require(request.clientId, in: m.db) }
            try m.db.execute(sql: "INSERT INTO agenda_feed (token_hash, client_id, created_by, created_at_ms) VALUES (?, ?, ?, ?)",
                             arguments: [SHA256.hex(Array(token.utf8)), request.clientId, by, m.now])
            let id = m.db.lastInsertedRowID
            m.audit("agenda_feed", String(id), "created a calendar feed token for \(request.clientId.isEmpty ? "the office" : "client " + request.clientId)")
            return id
        }
        var response = Conton_Agenda_V1_CreateFeedTokenResponse()
        response.token = token
        response.feedId = id
        return response
    }

    func revokeFeedToken(request: Conton_Agenda_V1_RevokeFeedTokenRequest, context: ServerContext) async throws -> Conton_Agenda_V1_RevokeFeedTokenResponse {
        try await self.context.write { m in
            try m.db.execute(sql: "UPDATE agenda_feed SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL", arguments: [m.now, request.feedId])
            guard m.db.changesCount > 0 else { throw ServiceError.notFound("feed", String(request.feedId), type: "conton.agenda.v1.Feed") }
            m.audit("agenda_feed", String(request.feedId), "revoked the calendar feed token")
        }
        return Conton_Agenda_V1_RevokeFeedTokenResponse()
    }

    func getCalendarFeed(request: Conton_Agenda_V1_GetCalendarFeedRequest, context: ServerContext) async throws -> Conton_Agenda_V1_GetCalendarFeedResponse {
        guard !request.token.isEmpty, request.token.utf8.count <= 100 else { throw ServiceError.notFound("feed", "token", type: "conton.agenda.v1.Feed") }
        let feed = CalendarFeed(zone: zone, zoneID: zoneID), clients = self.clients, now = self.context.clock.nowMilliseconds
        let text = try await self.context.read { db -> String in
            guard let clientID = try String.fetchOne(db, sql: "SELECT client_id FROM agenda_feed WHERE token_hash = ? AND revoked_at_ms IS NULL",
                                                     arguments: [SHA256.hex(Array(request.token.utf8))]) else {
                throw ServiceError.notFound("feed", "token", type: "conton.agenda.v1.Feed")
            }
            if clientID.isEmpty { return try feed.render(AgendaOccurrences.Filter(), name: "ContOn — agenda do escritório", now: now, in: db) }
            let name = try clients.client(id: clientID, in: db)?.name ?? clientID
            return try feed.render(AgendaOccurrences.Filter(scope: .only(clientID: clientID)), name: "ContOn — \(name)", now: now, in: db)
        }
        var response = Conton_Agenda_V1_GetCalendarFeedResponse()
        response.contentType = "text/calendar; charset=utf-8"
        response.content = Array(text.utf8)
        return response
    }
}
