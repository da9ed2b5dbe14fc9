/// C wrappers for what Swift cannot import from OpenSSL 3 and protobuf-c: function-like macros,
/// globals whose address matters, and callbacks. Each wrapper is one line where it can be.
#ifndef CCONTON_SHIM_H
#define CCONTON_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <protobuf-c/protobuf-c.h>

// MARK: protobuf-c

/// The exact address of `protobuf_c_empty_string`: `free_unpacked` frees any other string pointer.
static inline char *conton_pb_empty_string(void) { return (char *)protobuf_c_empty_string; }

// MARK: OpenSSL macros

static inline int conton_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_min_proto_version(ctx, v); }
static inline int conton_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_max_proto_version(ctx, v); }
static inline uint64_t conton_SSL_CTX_set_options(SSL_CTX *ctx, uint64_t op) { return (uint64_t)SSL_CTX_set_options(ctx, op); }
static inline long conton_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long conton_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
static inline int conton_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) { return (int)SSL_CTX_set1_groups_list(ctx, list); }
static inline int conton_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }
static inline size_t conton_BIO_pending(BIO *b) { return (size_t)BIO_ctrl_pending(b); }
static inline int conton_BIO_set_mem_eof_return(BIO *b, int v) { return (int)BIO_set_mem_eof_return(b, v); }
static inline void conton_OPENSSL_free(void *p) { OPENSSL_free(p); }

static inline uint64_t conton_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t conton_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t conton_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t conton_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline long conton_SSL_MODE_RELEASE_BUFFERS(void) { return SSL_MODE_RELEASE_BUFFERS; }
static inline long conton_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }
static inline int conton_TLS1_VERSION(void) { return TLS1_VERSION; }
static inline int conton_TLS1_1_VERSION(void) { return TLS1_1_VERSION; }
static inline int conton_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
static inline int conton_TLS1_3_VERSION(void) { return TLS1_3_VERSION; }

// MARK: OpenSSL helpers written in C (shim.c)

/// Installs a server-side ALPN callback that selects the first of `protos` (wire format:
/// length-prefixed names) that the client also offers. A client offering ALPN but none of these
/// fails the handshake with `no_application_protocol`; a client offering none proceeds.
/// `protos` is copied; the copy lives as long as the process (one per configuration).
int conton_ssl_ctx_set_alpn_server(SSL_CTX *ctx, const unsigned char *protos, unsigned int len);

/// Requires client certificates verified against the CA file; `required` = 0 makes them optional.
int conton_ssl_ctx_set_client_ca(SSL_CTX *ctx, const char *ca_file, int required);

/// Copies the peer certificate's subject (one line, RFC 2253) into `out`; 0 when there is none.
/// Also writes the SHA-256 fingerprint as 64 lower-case hex digits and a NUL into `sha256_hex_out`
/// (65 bytes) when non-NULL.
int conton_ssl_peer_subject(SSL *ssl, char *out, size_t out_len, char *sha256_hex_out);

/// The negotiated ALPN protocol copied into `out` (NUL-terminated); 0 when none was negotiated.
int conton_ssl_alpn_selected(SSL *ssl, char *out, size_t out_len);

/// Writes the oldest queued OpenSSL error as text into `out` and clears the queue.
void conton_ssl_error_string(char *out, size_t out_len);

/// Generates a development CA (P-256, 10 years) and a server certificate it signs (P-256,
/// `server_days` days, SAN DNS:localhost, IP:127.0.0.1, IP:::1, extendedKeyUsage serverAuth) and
/// writes the four PEM files with mode 0600 for keys. Returns 1 on success; on failure 0 with
/// `err` filled.
int conton_generate_dev_certificates(const char *ca_cert_path, const char *ca_key_path,
                                     const char *server_cert_path, const char *server_key_path,
                                     long server_days, char *err, size_t err_len);

/// Issues a new development server certificate (`server_days` days, same SAN and usage as
/// above) from the existing CA files, replacing the server certificate and key.
int conton_renew_dev_server_certificate(const char *ca_cert_path, const char *ca_key_path,
                                        const char *server_cert_path, const char *server_key_path,
                                        long server_days, char *err, size_t err_len);

/// Seconds from now until the certificate in the PEM file at `path` expires (negative once it
/// has) into `out`, and the seconds it is valid in total (notAfter − notBefore) into `lifetime`.
/// Returns 0 when the file cannot be read.
int conton_certificate_validity(const char *path, int64_t *out, int64_t *lifetime);

/// Generates a P-256 key and a certificate for `common_name` signed by the CA, for client
/// certificates (extendedKeyUsage clientAuth). Used by tests and by `conton admin issue-cert`.
int conton_generate_client_certificate(const char *ca_cert_path, const char *ca_key_path,
                                       const char *common_name,
                                       const char *cert_path, const char *key_path,
                                       char *err, size_t err_len);

#endif
