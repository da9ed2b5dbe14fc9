/// C wrappers for libcurl: `curl_easy_setopt` and `curl_easy_getinfo` are variadic, which Swift
/// cannot call, so each argument type gets a typed one-line wrapper. The SMTP upload context (the
/// message bytes, the error buffer, the last server reply) is a heap-allocated C struct owned by
/// `conton_curl_transfer_new`/`_free`, so every pointer libcurl keeps stays valid for the whole
/// `curl_easy_perform`.
#ifndef CCONTON_CURL_H
#define CCONTON_CURL_H

#include <stddef.h>
#include <curl/curl.h>

// MARK: curl_easy_setopt / curl_easy_getinfo, one wrapper per argument type

static inline CURLcode conton_curl_setopt_long(CURL *h, CURLoption option, long value) { return curl_easy_setopt(h, option, value); }
static inline CURLcode conton_curl_setopt_string(CURL *h, CURLoption option, const char *value) { return curl_easy_setopt(h, option, value); }
static inline CURLcode conton_curl_setopt_pointer(CURL *h, CURLoption option, void *value) { return curl_easy_setopt(h, option, value); }
static inline CURLcode conton_curl_setopt_off_t(CURL *h, CURLoption option, curl_off_t value) { return curl_easy_setopt(h, option, value); }
static inline CURLcode conton_curl_setopt_slist(CURL *h, CURLoption option, struct curl_slist *value) { return curl_easy_setopt(h, option, value); }
static inline CURLcode conton_curl_setopt_read_function(CURL *h, curl_read_callback f) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, f); }
static inline CURLcode conton_curl_setopt_debug_function(CURL *h, curl_debug_callback f) { return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, f); }
static inline CURLcode conton_curl_getinfo_long(CURL *h, CURLINFO info, long *out) { return curl_easy_getinfo(h, info, out); }

// MARK: constants Swift imports awkwardly (macros, enum values used as `long`)

static inline long conton_CURLUSESSL_NONE(void) { return (long)CURLUSESSL_NONE; }
static inline long conton_CURLUSESSL_TRY(void) { return (long)CURLUSESSL_TRY; }
static inline long conton_CURLUSESSL_ALL(void) { return (long)CURLUSESSL_ALL; }

// MARK: written in C (curl_shim.c)

/// `curl_global_init(CURL_GLOBAL_DEFAULT)` exactly once per process (pthread_once); returns its result.
CURLcode conton_curl_global_init_once(void);

/// Size of the buffer holding the last server reply (joined lines of a multi-line reply).
#define CONTON_CURL_REPLY_SIZE 512

/// One SMTP upload: the message bytes fed by the read callback, libcurl's error buffer, the last
/// server reply and the verb of the last command sent (never its arguments, so never credentials).
/// Once QUIT is sent, nothing more is recorded: a failed transfer keeps the refusal and the command
/// it answered.
typedef struct conton_curl_transfer {
    unsigned char *data;
    size_t length;
    size_t offset;
    int reply_complete;                    /* the last reply line seen was a final line ("250 ") */
    int quitting;                          /* QUIT was sent: record nothing more */
    char reply[CONTON_CURL_REPLY_SIZE];    /* the last server reply, lines joined by a space */
    char command[16];                      /* EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT, … */
    char error[CURL_ERROR_SIZE];           /* CURLOPT_ERRORBUFFER */
} conton_curl_transfer;

/// Allocates a transfer holding a copy of `data`; NULL when out of memory.
conton_curl_transfer *conton_curl_transfer_new(const unsigned char *data, size_t length);
/// Frees a transfer from `conton_curl_transfer_new` (NULL is fine). Call after `curl_easy_cleanup`.
void conton_curl_transfer_free(conton_curl_transfer *t);
/// Points the handle's read callback, debug callback (server replies, command verbs) and error
/// buffer at `t`, and turns on upload mode. `t` must outlive the perform.
CURLcode conton_curl_transfer_attach(CURL *h, conton_curl_transfer *t);

static inline const char *conton_curl_transfer_reply(const conton_curl_transfer *t) { return t->reply; }
static inline const char *conton_curl_transfer_command(const conton_curl_transfer *t) { return t->command; }
static inline const char *conton_curl_transfer_error(const conton_curl_transfer *t) { return t->error; }
static inline size_t conton_curl_transfer_sent(const conton_curl_transfer *t) { return t->offset; }

#endif
