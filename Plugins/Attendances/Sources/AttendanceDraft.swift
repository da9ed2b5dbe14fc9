import ContonAPI
import ContonKit
import GRDB

/// An attendance's editable fields, checked (every violation at once, under `field`).
struct AttendanceDraft: Sendable {
    var channel: Conton_Attendances_V1_Channel
    var department: Conton_Attendances_V1_Department
    var subject: String
    var priority: Conton_Attendances_V1_Priority
    var responsible: StaffSummary?
    var deadline: String
    var visible: Bool

    /// Checks `a`; `responsible` resolves `a.responsible_user_id` (empty: nobody).
    static func validate(_ a: Conton_Attendances_V1_Attendance, field: String, staff: any StaffDirectory, in db: Database) throws -> AttendanceDraft {
        var errors = FieldErrors()
        let subject = a.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        if subject.isEmpty { errors.add("\(field).subject", "is required") }
        if subject.count > 200 { errors.add("\(field).subject", "must have at most 200 characters") }
        if subject.contains(where: \.isNewline) { errors.add("\(field).subject", "must be one line") }
        var channel = a.channel
        switch a.channel {
        case .unspecified: channel = .other
        case .unrecognized(let n): errors.add("\(field).channel", "unknown channel \(n)")
        default: break
        }
        var department = a.department
        switch a.department {
        case .unspecified: department = .other
        case .unrecognized(let n): errors.add("\(field).department", "unknown department \(n)")
        default: break
        }
        var priority = a.priority
        switch a.priority {
        case .unspecified: priority = .normal
        case .unrecognized(let n): errors.add("\(field).priority", "unknown priority \(n)")
        default: break
        }
        if !a.deadline.isEmpty && CivilDate(a.deadline) == nil { errors.add("\(field).deadline", "must be a date YYYY-MM-DD") }
        var responsible: StaffSummary?
        if !a.responsibleUserId.isEmpty {
            if let user = try staff.staffUser(id: a.responsibleUserId, in: db) {
                if user.disabled { errors.add("\(field).responsible_user_id", "\(user.displayName) is disabled") }
                responsible = user
            } else {
                errors.add("\(field).responsible_user_id", "no staff user \(a.responsibleUserId)")
            }
        }
        try errors.check()
        return AttendanceDraft(channel: channel, department: department, subject: subject, priority: priority, responsible: responsible,
                               deadline: a.deadline, visible: a.visibleToClient)
    }
}
