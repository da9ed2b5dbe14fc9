import AttendancesCapability
import ClientsCapability
import ContonAPI
import ContonKit
import ContonThreads
import FilesCapability
import GRDB

/// ``AttendancesCapability/AttendanceOpener``: another plugin's way to open an attendance (a
/// request turned into one), with the same rules as `OpenAttendances`.
/// It reads the capabilities it needs when it is used: it is provided before every plugin has
/// provided its own.
struct AttendancesOpener: AttendanceOpener {
    let context: PluginContext

    static let departments: [String: Conton_Attendances_V1_Department] = [
        "fiscal": .fiscal, "pessoal": .pessoal, "contabil": .contabil, "societario": .societario, "financeiro": .financeiro, "other": .other,
    ]

    func open(_ opening: AttendanceOpening, in m: inout Mutation) throws -> (id: String, number: Int64) {
        let clients = try context.capabilities.clients, staff = try context.capabilities.require((any StaffDirectory).self)
        let files = context.capabilities.optional((any FileCatalog).self), threads = AttendancesPlugin.threads
        guard let principal = CallIdentity.current?.principal else {
            throw ServiceError(.internalError, "an attendance is opened by a caller", reason: "NO_CALLER")
        }
        var a = Conton_Attendances_V1_Attendance()
        a.subject = String(opening.subject.prefix(200))
        a.channel = .portal
        a.visibleToClient = true
        a.responsibleUserId = opening.responsibleUserID
        if !opening.department.isEmpty {
            guard let department = Self.departments[opening.department] else {
                throw FieldErrors.single("department", "must be one of \(AttendanceOpening.departments.joined(separator: ", "))")
            }
            a.department = department
        }
        var draft = try AttendanceDraft.validate(a, field: "attendance", staff: staff, in: m.db)
        if draft.responsible == nil, opening.responsibleUserID.isEmpty, case .staff(let me) = principal,
           let user = try staff.staffUser(id: me.userID, in: m.db), !user.disabled {
            draft.responsible = user
        }
        let client = try clients.require(opening.clientID, allowArchived: false, field: "client_id", in: m.db)
        var first: MessageThreads.Draft?
        if !opening.firstMessage.isEmpty {
            var message = MessageThreads.NewMessage()
            message.text = String(opening.firstMessage.prefix(MessageThreads.maxText))
            first = try threads.validate(message, clientID: client.id, by: principal, files: files, field: "first_message", in: m.db)
        }
        let made = try AttendancesService.insert(draft, clientID: client.id, origin: opening.origin, key: "", first: first, by: principal,
                                                 threads: threads, files: files, in: &m)
        return (String(made.id), made.number)
    }
}
