import Foundation
import GRDB

/// The mail outbox: a message is written as a `mail_outbox` row inside the caller's transaction,
/// so it exists if and only if the business change that caused it commits. ``MailDeliveryWorker``
/// delivers queued rows after commit and marks them `sent` or `failed`.
///
/// Table `mail_outbox` (migration `mail.1_outbox`): `id`, `recipients` (addresses, comma
/// separated, for operators), `subject`, `payload` (the ``MailMessage`` as JSON), `message_token`
/// (the stable left part of the `Message-ID`), `created_at_ms`, `next_attempt_at_ms`,
/// `attempts`, `status` (`queued`, `sent`, `failed`), `last_error`, `last_attempt_at_ms`,
/// `sent_at_ms`. Instants are UTC milliseconds.
public enum MailOutbox {
    /// The migration's name, `mail.1_outbox`.
    public static let migrationName = "mail.1_outbox"

    /// Registers the outbox migration (`mail.1_outbox`).
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(migrationName) { db in
            try db.execute(sql: """
                CREATE TABLE mail_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recipients TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    message_token TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    next_attempt_at_ms INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
                    last_error TEXT,
                    last_attempt_at_ms INTEGER,
                    sent_at_ms INTEGER
                );
                CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at_ms);
                """)
        }
    }

    /// Where a message is in its life.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for its first or next attempt (or being sent right now).
        case queued
        /// Accepted by the SMTP server (or written to an `.eml` file).
        case sent
        /// Given up: a permanent refusal, or too many transient failures.
        case failed
    }

    /// One outbox row.
    public struct Entry: Sendable, Hashable {
        public var id: Int64
        /// The recipients' addresses.
        public var recipients: [String]
        public var subject: String
        /// The message, or `nil` if the stored payload cannot be decoded.
        public var message: MailMessage?
        /// The stable left part of the `Message-ID`.
        public var messageToken: String
        public var createdAtMilliseconds: Int64
        /// When the next attempt is due (while `queued`).
        public var nextAttemptAtMilliseconds: Int64
        /// Attempts started so far.
        public var attempts: Int
        public var status: Status
        /// The last failure's explanation.
        public var lastError: String?
        public var lastAttemptAtMilliseconds: Int64?
        public var sentAtMilliseconds: Int64?
    }

    /// Writes `message` as a queued row, due now, inside the caller's transaction; returns its id.
    /// Call ``MailDeliveryWorker/wake()`` after the transaction commits.
    @discardableResult
    public static func enqueue(_ message: MailMessage, nowMilliseconds: Int64, in db: Database) throws -> Int64 {
        guard !message.to.isEmpty else { throw MailOutboxError.noRecipients }
        let payload: String
        do { payload = String(decoding: try encoder.encode(message), as: UTF8.self) } catch { throw MailOutboxError.encoding(String(describing: error)) }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        try db.cachedStatement(sql: """
            INSERT INTO mail_outbox (recipients, subject, payload, message_token, created_at_ms, next_attempt_at_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [message.to.map(\.address).joined(separator: ", "), message.subject, payload, token,
                             nowMilliseconds, nowMilliseconds])
        return db.lastInsertedRowID
    }

    /// The row with `id`, if any.
    public static func fetch(id: Int64, in db: Database) throws -> Entry? {
        try Row.fetchOne(db, sql: "SELECT * FROM mail_outbox WHERE id = ?", arguments: [id]).map(entry)
    }

    /// Rows with `status`, oldest first (all statuses when `nil`).
    public static func list(status: Status? = nil, limit: Int = 100, in db: Database) throws -> [Entry] {
        if let status {
            return try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox WHERE status = ? ORDER BY id LIMIT ?",
                                    arguments: [status.rawValue, limit]).map(entry)
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox ORDER BY id LIMIT ?", arguments: [limit]).map(entry)
    }

    /// How many rows each status has (statuses without rows are absent).
    public static func counts(in db: Database) throws -> [Status: Int] {
        var counts: [Status: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status") {
            if let status = Status(rawValue: row["status"]) { counts[status] = row["n"] }
        }
        return counts
    }

    /// When the earliest queued row is due, or `nil` when nothing is queued.
    public static func nextAttemptAt(in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at_ms) FROM mail_outbox WHERE status = 'queued'")
    }

    /// Puts a failed row back in the queue, due now, with its attempts reset (for operators, once
    /// the cause is fixed). Returns whether a failed row with `id` existed.
    @discardableResult
    public static func requeue(id: Int64, nowMilliseconds: Int64, in db: Database) throws -> Bool {
        try db.execute(sql: """
            UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at_ms = ?
            WHERE id = ? AND status = 'failed'
            """, arguments: [nowMilliseconds, id])
        return db.changesCount > 0
    }

    /// Deletes sent rows sent before `cutoffMilliseconds` (their payload holds activation codes).
    /// Returns how many were deleted.
    @discardableResult
    public static func purgeSent(before cutoffMilliseconds: Int64, in db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM mail_outbox WHERE status = 'sent' AND sent_at_ms < ?", arguments: [cutoffMilliseconds])
        return db.changesCount
    }

    // MARK: Delivery (used by MailDeliveryWorker)

    /// Reserves the earliest due row: counts the attempt and pushes its due time `leaseMilliseconds`
    /// ahead, so a crash during the send leaves it queued for a later attempt.
    package static func claimNextDue(nowMilliseconds now: Int64, leaseMilliseconds: Int64, in db: Database) throws -> Entry? {
        guard var claimed = try Row.fetchOne(db, sql: """
            SELECT * FROM mail_outbox WHERE status = 'queued' AND next_attempt_at_ms <= ?
            ORDER BY next_attempt_at_ms, id LIMIT 1
            """, arguments: [now]).map(entry) else { return nil }
        claimed.attempts += 1
        claimed.nextAttemptAtMilliseconds = now + leaseMilliseconds
        claimed.lastAttemptAtMilliseconds = now
        try db.execute(sql: """
            UPDATE mail_outbox SET attempts = ?, next_attempt_at_ms = ?, last_attempt_at_ms = ? WHERE id = ?
            """, arguments: [claimed.attempts, claimed.nextAttemptAtMilliseconds, now, claimed.id])
        return claimed
    }

    package static func markSent(id: Int64, nowMilliseconds: Int64, in db: Database) throws {
        try db.execute(sql: "UPDATE mail_outbox SET status = 'sent', sent_at_ms = ?, last_error = NULL WHERE id = ?",
                       arguments: [nowMilliseconds, id])
    }

    /// Schedules the next attempt, unless the row was claimed again meanwhile (`attempts` moved on).
    package static func scheduleRetry(id: Int64, attempt: Int, atMilliseconds: Int64, error: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE mail_outbox SET next_attempt_at_ms = ?, last_error = ? WHERE id = ? AND attempts = ? AND status = 'queued'
            """, arguments: [atMilliseconds, error, id, attempt])
    }

    /// Gives up on the row, unless it was claimed again meanwhile.
    package static func markFailed(id: Int64, attempt: Int, error: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE mail_outbox SET status = 'failed', last_error = ? WHERE id = ? AND attempts = ? AND status = 'queued'
            """, arguments: [error, id, attempt])
    }

    private static func entry(_ row: Row) -> Entry {
        let payload: String = row["payload"]
        let recipients: String = row["recipients"]
        return Entry(
            id: row["id"],
            recipients: recipients.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            subject: row["subject"],
            message: try? decoder.decode(MailMessage.self, from: Data(payload.utf8)),
            messageToken: row["message_token"],
            createdAtMilliseconds: row["created_at_ms"],
            nextAttemptAtMilliseconds: row["next_attempt_at_ms"],
            attempts: row["attempts"],
            status: Status(rawValue: row["status"]) ?? .failed,
            lastError: row["last_error"],
            lastAttemptAtMilliseconds: row["last_attempt_at_ms"],
            sentAtMilliseconds: row["sent_at_ms"])
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}

/// Why a message could not be enqueued.
public enum MailOutboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message has no recipients.
    case noRecipients
    /// The message could not be encoded as JSON.
    case encoding(String)

    public var description: String {
        switch self {
        case .noRecipients: "a mail message needs at least one recipient"
        case .encoding(let why): "mail message could not be encoded: \(why)"
        }
    }
}
