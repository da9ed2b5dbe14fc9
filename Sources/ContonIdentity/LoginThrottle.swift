import GRDB

/// Failed-login bookkeeping per account (`email:<address>`) and per peer address
/// (`peer:<ip>`), in `identity_login_throttle`.
///
/// Each failure counts; once `failuresBeforeThrottle` are spent, the key is blocked for the base
/// delay, doubling with each further failure up to the maximum. While blocked, Login answers
/// RESOURCE_EXHAUSTED with the remaining delay without looking at the password. A success clears
/// both keys; a streak older than `throttleForgetMilliseconds` is forgotten.
enum LoginThrottle {
    static func emailKey(_ email: String) -> String { "email:" + email.lowercased() }

    /// `ipv4:10.0.0.1:5123` → `peer:10.0.0.1` (the port changes per connection).
    static func peerKey(_ peer: String) -> String {
        var address = peer
        for prefix in ["ipv4:", "ipv6:"] where address.hasPrefix(prefix) { address.removeFirst(prefix.count) }
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            address = String(address[address.index(after: address.startIndex)..<end])
        } else if address.filter({ $0 == ":" }).count == 1, let colon = address.lastIndex(of: ":") {
            address = String(address[..<colon])
        } else if address.contains("."), let colon = address.lastIndex(of: ":") {
            address = String(address[..<colon])
        }
        return "peer:" + address
    }

    /// Milliseconds until the first blocked key of `keys` unblocks (0 when none is blocked).
    static func remainingBlock(keys: [String], now: Int64, in db: Database) throws -> Int64 {
        var longest: Int64 = 0
        for key in keys {
            if let until = try Int64.fetchOne(db, sql: "SELECT blocked_until_ms FROM identity_login_throttle WHERE key = ?", arguments: [key]) {
                longest = max(longest, until - now)
            }
        }
        return max(0, longest)
    }

    /// Counts a failure for every key; returns the new block (ms) of the most-failed key.
    @discardableResult
    static func recordFailure(keys: [String], now: Int64, settings: IdentitySettings, in db: Database) throws -> Int64 {
        var block: Int64 = 0
        for key in keys {
            var failures = 0
            if let row = try Row.fetchOne(db, sql: "SELECT failures, last_failure_at_ms, blocked_until_ms FROM identity_login_throttle WHERE key = ?", arguments: [key]) {
                let last: Int64 = row["last_failure_at_ms"], until: Int64 = row["blocked_until_ms"]
                failures = row["failures"]
                if now - last > settings.throttleForgetMilliseconds && until <= now { failures = 0 }
            }
            failures += 1
            var until: Int64 = 0
            if failures >= settings.failuresBeforeThrottle {
                let doublings = min(failures - settings.failuresBeforeThrottle, 30)
                let delay = min(settings.throttleBaseMilliseconds << Int64(doublings), settings.throttleMaximumMilliseconds)
                until = now + delay
                block = max(block, delay)
            }
            try db.execute(sql: """
                INSERT INTO identity_login_throttle (key, failures, last_failure_at_ms, blocked_until_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at_ms = excluded.last_failure_at_ms,
                  blocked_until_ms = excluded.blocked_until_ms
                """, arguments: [key, failures, now, until])
        }
        return block
    }

    static func clear(keys: [String], in db: Database) throws {
        for key in keys {
            try db.execute(sql: "DELETE FROM identity_login_throttle WHERE key = ?", arguments: [key])
        }
    }
}
