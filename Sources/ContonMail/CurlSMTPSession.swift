import CContonCurl
import Foundation

/// One blocking SMTP transaction through a libcurl easy handle. Everything libcurl keeps a pointer
/// to (message bytes, error buffer, reply buffer, recipient list) is heap memory owned here and
/// freed only after `curl_easy_cleanup`.
enum CurlSMTPSession {
    /// Sends `payload` from `from` to `recipients`; throws ``MailDeliveryError``. Blocks.
    static func perform(configuration: SMTPConfiguration, from: String, recipients: [String], payload: [UInt8]) throws(MailDeliveryError) {
        let initCode = conton_curl_global_init_once()
        guard initCode == CURLE_OK else { throw .transient("libcurl initialisation failed: \(describe(initCode))", scope: .server) }
        guard let handle = curl_easy_init() else { throw .transient("curl_easy_init failed", scope: .server) }
        guard let transfer = payload.withUnsafeBufferPointer({ conton_curl_transfer_new($0.baseAddress, $0.count) }) else {
            curl_easy_cleanup(handle)
            throw .transient("out of memory", scope: .server)
        }
        var recipientList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_easy_cleanup(handle)
            curl_slist_free_all(recipientList)
            conton_curl_transfer_free(transfer)
        }
        for recipient in recipients {
            guard let appended = curl_slist_append(recipientList, "<\(recipient)>") else { throw .transient("out of memory", scope: .server) }
            recipientList = appended
        }

        func set(_ code: CURLcode, _ what: String) throws(MailDeliveryError) {
            guard code == CURLE_OK else { throw .transient("libcurl refused \(what): \(describe(code))", scope: .server) }
        }
        try set(conton_curl_transfer_attach(handle, transfer), "the upload callbacks")
        try set(conton_curl_setopt_string(handle, CURLOPT_URL, configuration.curlURL), "the URL")
        try set(conton_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"), "the protocol list")
        try set(conton_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"), "MAIL FROM")
        try set(conton_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList), "the recipients")
        let useSSL: Int = switch configuration.security {
        case .none: conton_CURLUSESSL_NONE()
        case .opportunistic: conton_CURLUSESSL_TRY()
        case .starttls, .implicit: conton_CURLUSESSL_ALL()
        }
        try set(conton_curl_setopt_long(handle, CURLOPT_USE_SSL, useSSL), "CURLOPT_USE_SSL")
        try set(conton_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try set(conton_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        if let caFile = configuration.caFile {
            try set(conton_curl_setopt_string(handle, CURLOPT_CAINFO, caFile), "CURLOPT_CAINFO")
        }
        if let username = configuration.username {
            try set(conton_curl_setopt_string(handle, CURLOPT_USERNAME, username), "the user name")
            try set(conton_curl_setopt_string(handle, CURLOPT_PASSWORD, configuration.password ?? ""), "the password")
        }
        try set(conton_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try set(conton_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(configuration.timeout)), "CURLOPT_TIMEOUT_MS")
        try set(conton_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(configuration.connectTimeout)), "CURLOPT_CONNECTTIMEOUT_MS")

        let result = curl_easy_perform(handle)
        if result == CURLE_OK { return }

        let curlError = String(cString: conton_curl_transfer_error(transfer))
        let reply = String(cString: conton_curl_transfer_reply(transfer))
        // The code of the last reply recorded (before QUIT); libcurl's own as a fallback.
        var replyCode = Int(reply.prefix(3)).flatMap { (200...599).contains($0) ? $0 : nil } ?? 0
        if replyCode == 0 { _ = conton_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &replyCode) }
        let command = String(cString: conton_curl_transfer_command(transfer))
        throw classify(result, replyCode: replyCode, command: command, curlError: curlError, reply: reply)
    }

    /// Permanent only for a 5xx reply to the message itself (MAIL, RCPT, DATA or the end of the
    /// data); everything else — connection, TLS, authentication, 4xx — is transient. A reply to
    /// the message (other than 421 "closing" and 530 "authentication required") concerns that
    /// message only; anything else concerns the server.
    static func classify(_ code: CURLcode, replyCode: Int, command: String, curlError: String, reply: String) -> MailDeliveryError {
        var parts = [curlError.isEmpty ? describe(code) : curlError]
        let replyCode: Int? = replyCode >= 400 ? replyCode : nil
        if replyCode != nil, !reply.isEmpty { parts.append("server said: \(reply)") }
        let message = parts.joined(separator: "; ")
        let aboutMessage = replyCode.map { $0 != 421 && $0 != 530 && ["MAIL", "RCPT", "DATA"].contains(command) } ?? false
        if aboutMessage, let replyCode, replyCode >= 500 {
            return .permanent(message, replyCode: replyCode)
        }
        return .transient(message, replyCode: replyCode, scope: aboutMessage ? .message : .server)
    }

    static func describe(_ code: CURLcode) -> String {
        "\(String(cString: curl_easy_strerror(code))) (curl \(code.rawValue))"
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return max(1, Int(s) * 1000 + Int(atto / 1_000_000_000_000_000))
    }
}
