/// When ``MailDeliveryWorker`` tries a message again.
///
/// After the n-th failed attempt (n = 1, 2, …) the next one is due `initialDelay × 2^(n−1)` later,
/// capped at `maximumDelay`: with the defaults 30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min,
/// 1 h, 1 h, … A transient failure on attempt `maximumAttempts` (default 12, about 5 h after the
/// first) marks the message failed; a permanent failure marks it failed at once.
///
/// `claimLease` is how long a message being sent stays reserved: the worker pushes the row's due
/// time that far ahead before calling the transport, so a crash during the send leaves the row
/// queued and another attempt happens once the lease has passed (at-least-once delivery).
public struct MailRetryPolicy: Sendable, Hashable {
    /// Delay after the first failed attempt, in milliseconds (30 s).
    public var initialDelayMilliseconds: Int64
    /// Upper bound of the delay, in milliseconds (1 h).
    public var maximumDelayMilliseconds: Int64
    /// Attempts before a transiently failing message is marked failed (12).
    public var maximumAttempts: Int
    /// How long a claimed message stays reserved while it is being sent (5 min; keep it above the
    /// SMTP timeout).
    public var claimLeaseMilliseconds: Int64

    /// A policy; see the type's documentation for the meaning of each value.
    public init(initialDelayMilliseconds: Int64 = 30_000, maximumDelayMilliseconds: Int64 = 3_600_000,
                maximumAttempts: Int = 12, claimLeaseMilliseconds: Int64 = 300_000) {
        self.initialDelayMilliseconds = max(1, initialDelayMilliseconds)
        self.maximumDelayMilliseconds = max(self.initialDelayMilliseconds, maximumDelayMilliseconds)
        self.maximumAttempts = max(1, maximumAttempts)
        self.claimLeaseMilliseconds = max(1, claimLeaseMilliseconds)
    }

    /// 30 s × 2^(n−1) capped at 1 h, 12 attempts, 5 min lease.
    public static let `default` = MailRetryPolicy()

    /// The delay before the attempt that follows failed attempt number `attempt` (1-based).
    public func delayMilliseconds(afterAttempt attempt: Int) -> Int64 {
        var delay = initialDelayMilliseconds
        var n = 1
        while n < attempt, delay < maximumDelayMilliseconds {
            delay *= 2
            n += 1
        }
        return min(delay, maximumDelayMilliseconds)
    }
}
