#include "CContonCurl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t conton_curl_once = PTHREAD_ONCE_INIT;
static CURLcode conton_curl_init_result = CURLE_FAILED_INIT;

static void conton_curl_global_init(void) { conton_curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

CURLcode conton_curl_global_init_once(void) {
    pthread_once(&conton_curl_once, conton_curl_global_init);
    return conton_curl_init_result;
}

conton_curl_transfer *conton_curl_transfer_new(const unsigned char *data, size_t length) {
    conton_curl_transfer *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->data = malloc(length > 0 ? length : 1);
    if (t->data == NULL) { free(t); return NULL; }
    if (length > 0) memcpy(t->data, data, length);
    t->length = length;
    t->reply_complete = 1;
    return t;
}

void conton_curl_transfer_free(conton_curl_transfer *t) {
    if (t == NULL) return;
    free(t->data);
    free(t);
}

/// CURLOPT_READFUNCTION: copies the next slice of the message.
static size_t conton_curl_read(char *buffer, size_t size, size_t nitems, void *userdata) {
    conton_curl_transfer *t = userdata;
    size_t room = size * nitems;
    size_t left = t->length - t->offset;
    size_t n = left < room ? left : room;
    memcpy(buffer, t->data + t->offset, n);
    t->offset += n;
    return n;
}

/// Appends one server reply line (without its CR LF) to the reply buffer; a line that follows a
/// final line ("250 ok") starts a new reply.
static void conton_curl_reply_line(conton_curl_transfer *t, const char *line, size_t len) {
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n')) len--;
    if (len == 0) return;
    size_t used = 0;
    if (t->reply_complete) {
        t->reply[0] = '\0';
    } else {
        used = strlen(t->reply);
        if (used + 1 < sizeof t->reply) { t->reply[used++] = ' '; t->reply[used] = '\0'; }
    }
    size_t room = sizeof t->reply - 1 - used;
    size_t n = len < room ? len : room;
    memcpy(t->reply + used, line, n);
    t->reply[used + n] = '\0';
    /* "250-…" continues a multi-line reply; "250 …" (or a bare code) ends it. */
    t->reply_complete = !(len > 3 && line[3] == '-');
}

/// Records only the verb of a command, from a fixed list: the lines of an AUTH exchange after the
/// first (base64 user name and password) are recorded as "AUTH", never as themselves.
static void conton_curl_command(conton_curl_transfer *t, const char *line, size_t len) {
    static const char *verbs[] = { "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "NOOP", "VRFY", NULL };
    size_t n = 0;
    while (n < len && line[n] != ' ' && line[n] != '\r' && line[n] != '\n') n++;
    for (int i = 0; verbs[i] != NULL; i++) {
        if (strlen(verbs[i]) == n && strncasecmp(verbs[i], line, n) == 0) {
            if (strcmp(verbs[i], "QUIT") == 0) { t->quitting = 1; return; }
            strcpy(t->command, verbs[i]);
            return;
        }
    }
    strcpy(t->command, "AUTH");
}

/// CURLOPT_DEBUGFUNCTION: keeps server replies and command verbs; ignores everything else
/// (message data, TLS records, curl's own text).
static int conton_curl_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata) {
    (void)handle;
    conton_curl_transfer *t = userdata;
    /* After QUIT, keep the command and reply that mattered (the refusal), not "QUIT"/"221 Bye". */
    if (t->quitting) return 0;
    if (type == CURLINFO_HEADER_IN) {
        size_t start = 0;
        for (size_t i = 0; i < size; i++) {
            if (data[i] == '\n') { conton_curl_reply_line(t, data + start, i - start + 1); start = i + 1; }
        }
        if (start < size) conton_curl_reply_line(t, data + start, size - start);
    } else if (type == CURLINFO_HEADER_OUT) {
        conton_curl_command(t, data, size);
    }
    return 0;
}

CURLcode conton_curl_transfer_attach(CURL *h, conton_curl_transfer *t) {
    CURLcode rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->error)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_READFUNCTION, conton_curl_read)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_READDATA, (void *)t)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_UPLOAD, 1L)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)t->length)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, conton_curl_debug)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(h, CURLOPT_DEBUGDATA, (void *)t)) != CURLE_OK) return rc;
    return curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
}
