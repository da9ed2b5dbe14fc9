/*
 * ContOn C reference client: connects over TLS 1.3 with ALPN conton/1, verifies the server
 * certificate against a CA file and host name, calls conton.health.v1.Health/Check, and prints the
 * serving status. Messages are encoded and decoded with the same protoc-c output the server uses
 * (Sources/ContonProtosC). The wire protocol is docs/PROTOCOL.md.
 *
 * An error status is printed as the conton CLI prints it: "ERROR <code>: <message>", then one
 * indented line per detail of the rich error model (a google.rpc.Status in the trailing metadata
 * "grpc-status-details-bin", docs/PROTOCOL.md section 7): "  <field>: <description>" for each
 * google.rpc.BadRequest violation, "  reason: <reason> (<domain>)", "  resource: <type> <name>",
 * "  retry after: <ms> ms".
 *
 * usage: conton_health HOST PORT CA_FILE [SERVICE]
 * exit:  0 SERVING, 1 not serving or an error status, 2 connection/TLS/protocol failure.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "conton/health/v1/health.pb-c.h"
#include "conton/rpc/v1/wire.pb-c.h"
#include "google/rpc/error_details.pb-c.h"
#include "google/rpc/status.pb-c.h"

enum { HEADERS = 1, MESSAGE = 2, TRAILERS = 4, PING = 6, PONG = 7, GOAWAY = 8, END_STREAM = 1 };

/* Whether an Any holds the message `name` (type URL "type.googleapis.com/<name>"). */
static int any_is(const Google__Protobuf__Any *any, const char *name) {
    static const char prefix[] = "type.googleapis.com/";
    return any->type_url != NULL && strncmp(any->type_url, prefix, sizeof prefix - 1) == 0 &&
           strcmp(any->type_url + sizeof prefix - 1, name) == 0;
}

/* Prints the details of a google.rpc.Status, encoded in `value`; unknown detail types are skipped. */
static void print_status_details(const ProtobufCBinaryData *value) {
    Google__Rpc__Status *status = google__rpc__status__unpack(NULL, value->len, value->data);
    if (status == NULL) return;
    for (size_t i = 0; i < status->n_details; i++) {
        const Google__Protobuf__Any *any = status->details[i];
        if (any_is(any, "google.rpc.BadRequest")) {
            Google__Rpc__BadRequest *bad = google__rpc__bad_request__unpack(NULL, any->value.len, any->value.data);
            if (bad == NULL) continue;
            for (size_t j = 0; j < bad->n_field_violations; j++)
                printf("  %s: %s\n", bad->field_violations[j]->field, bad->field_violations[j]->description);
            google__rpc__bad_request__free_unpacked(bad, NULL);
        } else if (any_is(any, "google.rpc.ErrorInfo")) {
            Google__Rpc__ErrorInfo *info = google__rpc__error_info__unpack(NULL, any->value.len, any->value.data);
            if (info == NULL) continue;
            printf("  reason: %s (%s)\n", info->reason, info->domain);
            google__rpc__error_info__free_unpacked(info, NULL);
        } else if (any_is(any, "google.rpc.ResourceInfo")) {
            Google__Rpc__ResourceInfo *info = google__rpc__resource_info__unpack(NULL, any->value.len, any->value.data);
            if (info == NULL) continue;
            printf("  resource: %s %s\n", info->resource_type, info->resource_name);
            google__rpc__resource_info__free_unpacked(info, NULL);
        } else if (any_is(any, "google.rpc.RetryInfo")) {
            Google__Rpc__RetryInfo *info = google__rpc__retry_info__unpack(NULL, any->value.len, any->value.data);
            if (info == NULL) continue;
            long long ms = info->retry_delay == NULL ? 0
                : (long long)info->retry_delay->seconds * 1000 + info->retry_delay->nanos / 1000000;
            printf("  retry after: %lld ms\n", ms);
            google__rpc__retry_info__free_unpacked(info, NULL);
        }
    }
    google__rpc__status__free_unpacked(status, NULL);
}

static int write_all(SSL *ssl, const uint8_t *p, size_t n) {
    while (n > 0) {
        int w = SSL_write(ssl, p, (int)n);
        if (w <= 0) return 0;
        p += w;
        n -= (size_t)w;
    }
    return 1;
}

static int read_all(SSL *ssl, uint8_t *p, size_t n) {
    while (n > 0) {
        int r = SSL_read(ssl, p, (int)n);
        if (r <= 0) return 0;
        p += r;
        n -= (size_t)r;
    }
    return 1;
}

static int send_frame(SSL *ssl, uint8_t type, uint8_t flags, uint32_t call, const uint8_t *payload, uint32_t len) {
    uint8_t h[10];
    uint32_t be_len = htonl(len), be_call = htonl(call);
    memcpy(h, &be_len, 4);
    h[4] = type;
    h[5] = flags;
    memcpy(h + 6, &be_call, 4);
    return write_all(ssl, h, 10) && (len == 0 || write_all(ssl, payload, len));
}

static int connect_tcp(const char *host, const char *port) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        if (fd >= 0) close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT CA_FILE [SERVICE]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *ca = argv[3], *service = argc > 4 ? argv[4] : "";
    int rc = 2;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    int fd = -1;
    uint8_t *payload = NULL;
    if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
        ERR_print_errors_fp(stderr);
        goto done;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    static const unsigned char alpn[] = {8, 'c', 'o', 'n', 't', 'o', 'n', '/', '1'};
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn);
    fd = connect_tcp(host, port);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s:%s\n", host, port);
        goto done;
    }
    ssl = SSL_new(ctx);
    const char *verify_name = strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 ? "localhost" : host;
    SSL_set_tlsext_host_name(ssl, verify_name);
    SSL_set1_host(ssl, verify_name);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
        fprintf(stderr, "TLS handshake failed: %s\n", X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
        ERR_print_errors_fp(stderr);
        goto done;
    }
    const unsigned char *proto = NULL;
    unsigned int proto_len = 0;
    SSL_get0_alpn_selected(ssl, &proto, &proto_len);
    if (proto_len != 8 || memcmp(proto, "conton/1", 8) != 0) {
        fprintf(stderr, "server did not negotiate conton/1\n");
        goto done;
    }

    /* HEADERS: CallHeaders{method}; MESSAGE + END_STREAM: HealthCheckRequest{service}. */
    Conton__Rpc__V1__CallHeaders headers;
    conton__rpc__v1__call_headers__init(&headers);
    headers.method = "conton.health.v1.Health/Check";
    headers.timeout_micros = 5000000;
    Conton__Health__V1__HealthCheckRequest request;
    conton__health__v1__health_check_request__init(&request);
    request.service = (char *)service;
    uint8_t hbuf[512], rbuf[512];
    size_t hlen = conton__rpc__v1__call_headers__get_packed_size(&headers);
    size_t rlen = conton__health__v1__health_check_request__get_packed_size(&request);
    if (hlen > sizeof hbuf || rlen > sizeof rbuf) goto done;
    conton__rpc__v1__call_headers__pack(&headers, hbuf);
    conton__health__v1__health_check_request__pack(&request, rbuf);
    if (!send_frame(ssl, HEADERS, 0, 1, hbuf, (uint32_t)hlen) ||
        !send_frame(ssl, MESSAGE, END_STREAM, 1, rbuf, (uint32_t)rlen)) {
        fprintf(stderr, "write failed\n");
        goto done;
    }

    int serving = -1;
    for (;;) {
        uint8_t h[10];
        if (!read_all(ssl, h, 10)) {
            fprintf(stderr, "connection closed before the call ended\n");
            goto done;
        }
        uint32_t len, call;
        memcpy(&len, h, 4);
        memcpy(&call, h + 6, 4);
        len = ntohl(len);
        call = ntohl(call);
        if (len > 4 * 1024 * 1024) {
            fprintf(stderr, "frame too large\n");
            goto done;
        }
        free(payload);
        payload = malloc(len ? len : 1);
        if (payload == NULL || !read_all(ssl, payload, len)) goto done;
        if (h[4] == PING) {
            send_frame(ssl, PONG, 0, 0, payload, len);
        } else if (h[4] == MESSAGE && call == 1) {
            Conton__Health__V1__HealthCheckResponse *r = conton__health__v1__health_check_response__unpack(NULL, len, payload);
            if (r == NULL) goto done;
            serving = r->status;
            conton__health__v1__health_check_response__free_unpacked(r, NULL);
        } else if (h[4] == TRAILERS && call == 1) {
            Conton__Rpc__V1__Status *st = conton__rpc__v1__status__unpack(NULL, len, payload);
            if (st == NULL) goto done;
            if (st->code != 0) {
                printf("ERROR %d: %s\n", st->code, st->message);
                for (size_t i = 0; i < st->n_metadata; i++)
                    if (strcmp(st->metadata[i]->key, "grpc-status-details-bin") == 0)
                        print_status_details(&st->metadata[i]->value);
                rc = 1;
            } else {
                const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
                    &conton__health__v1__health_check_response__serving_status__descriptor, serving);
                printf("%s\n", v != NULL ? v->name : "UNKNOWN");
                rc = serving == CONTON__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING ? 0 : 1;
            }
            conton__rpc__v1__status__free_unpacked(st, NULL);
            break;
        } else if (h[4] == GOAWAY) {
            fprintf(stderr, "server sent GOAWAY\n");
            goto done;
        }
    }
    SSL_shutdown(ssl);
done:
    free(payload);
    if (ssl != NULL) SSL_free(ssl);
    if (fd >= 0) close(fd);
    SSL_CTX_free(ctx);
    return rc;
}
