import Foundation
import ContonAPI
import ContonKit
import GRDB

/// The office's fee settings: one row of `fees_settings`, defaults until first written.
enum FeeSettingsStore {
    typealias Settings = Conton_Fees_V1_FeeSettings

    static let defaultTemplate = "Honorários {competencia}"
    static let defaultDueDay: Int32 = 10

    static var defaults: Settings {
        var s = Settings()
        s.dueInFollowingMonth = false
        s.defaultDueDay = defaultDueDay
        s.defaultDescriptionTemplate = defaultTemplate
        return s
    }

    static func read(in db: Database) throws -> Settings {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM fees_settings WHERE id = 1") else { return defaults }
        var s = Settings()
        s.dueInFollowingMonth = row["due_in_following_month"]
        s.defaultDueDay = row["default_due_day"]
        s.defaultDescriptionTemplate = row["default_description_template"]
        s.updatedAtMs = row["updated_at_ms"]
        return s
    }

    /// Validates every field at once; the template falls back to the default when empty.
    static func validated(_ input: Settings) throws -> Settings {
        var s = input
        var errors = FieldErrors()
        if s.defaultDueDay == 0 { s.defaultDueDay = defaultDueDay }
        if !(1...31).contains(s.defaultDueDay) { errors.add("settings.default_due_day", "must be 1–31") }
        s.defaultDescriptionTemplate = s.defaultDescriptionTemplate.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.defaultDescriptionTemplate.isEmpty { s.defaultDescriptionTemplate = defaultTemplate }
        if let problem = DescriptionTemplate.problem(s.defaultDescriptionTemplate) {
            errors.add("settings.default_description_template", problem)
        }
        try errors.check()
        s.updatedAtMs = 0
        return s
    }

    static func save(_ s: Settings, now: Int64, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO fees_settings (id, due_in_following_month, default_due_day, default_description_template, updated_at_ms)
            VALUES (1, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET due_in_following_month = excluded.due_in_following_month,
              default_due_day = excluded.default_due_day, default_description_template = excluded.default_description_template,
              updated_at_ms = excluded.updated_at_ms
            """, arguments: [s.dueInFollowingMonth, s.defaultDueDay, s.defaultDescriptionTemplate, now])
    }
}

/// A fee description template: `{competencia}` → "01/2018", `{mes}` → "janeiro", `{ano}` →
/// "2018", `{cliente}` → the client's name. Other text is kept as written.
enum DescriptionTemplate {
    static let maxLength = 150
    static let placeholders = ["{competencia}", "{mes}", "{ano}", "{cliente}"]

    /// Why `template` is not acceptable, or nil.
    static func problem(_ template: String) -> String? {
        if template.count > maxLength { return "must be at most \(maxLength) characters" }
        var rest = template
        for p in placeholders { rest = rest.replacingOccurrences(of: p, with: "") }
        if rest.contains("{") || rest.contains("}") {
            return "unknown placeholder; use {competencia}, {mes}, {ano} or {cliente}"
        }
        return nil
    }

    static func render(_ template: String, competence: Competence, clientName: String) -> String {
        guard template.contains("{") else { return template }
        var s = template.replacingOccurrences(of: "{competencia}", with: competence.text)
        s = s.replacingOccurrences(of: "{mes}", with: competence.monthName)
        s = s.replacingOccurrences(of: "{ano}", with: String(competence.year))
        s = s.replacingOccurrences(of: "{cliente}", with: clientName)
        return String(s.prefix(200))
    }
}
