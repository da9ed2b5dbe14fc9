#include "CContonShim.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// MARK: ALPN

typedef struct {
    unsigned char *protos;
    unsigned int len;
} conton_alpn_list;

static int conton_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                              const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    conton_alpn_list *list = (conton_alpn_list *)arg;
    unsigned char *selected = NULL;
    unsigned char selected_len = 0;
    if (SSL_select_next_proto(&selected, &selected_len, list->protos, list->len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    *outlen = selected_len;
    return SSL_TLSEXT_ERR_OK;
}

int conton_ssl_ctx_set_alpn_server(SSL_CTX *ctx, const unsigned char *protos, unsigned int len) {
    conton_alpn_list *list = malloc(sizeof(conton_alpn_list));
    if (list == NULL) return 0;
    list->protos = malloc(len);
    if (list->protos == NULL) { free(list); return 0; }
    memcpy(list->protos, protos, len);
    list->len = len;
    SSL_CTX_set_alpn_select_cb(ctx, conton_alpn_select, list);
    return 1;
}

// MARK: client certificates

int conton_ssl_ctx_set_client_ca(SSL_CTX *ctx, const char *ca_file, int required) {
    if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) return 0;
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_file);
    if (names == NULL) return 0;
    SSL_CTX_set_client_CA_list(ctx, names);
    int mode = SSL_VERIFY_PEER;
    if (required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, NULL);
    return 1;
}

int conton_ssl_peer_subject(SSL *ssl, char *out, size_t out_len, char *sha256_hex_out) {
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (cert == NULL) return 0;
    if (SSL_get_verify_result(ssl) != X509_V_OK) { X509_free(cert); return 0; }
    BIO *bio = BIO_new(BIO_s_mem());
    int ok = 0;
    if (bio != NULL &&
        X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(bio, out, (int)(out_len - 1));
        if (n < 0) n = 0;
        out[n] = '\0';
        ok = 1;
    }
    if (ok && sha256_hex_out != NULL) {
        unsigned char md[32];
        unsigned int md_len = 0;
        if (X509_digest(cert, EVP_sha256(), md, &md_len) != 1 || md_len != 32) {
            ok = 0;
        } else {
            for (unsigned int i = 0; i < md_len; i++) snprintf(sha256_hex_out + 2 * i, 3, "%02x", md[i]);
        }
    }
    BIO_free(bio);
    X509_free(cert);
    return ok;
}

int conton_ssl_alpn_selected(SSL *ssl, char *out, size_t out_len) {
    const unsigned char *data = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &data, &len);
    if (data == NULL || len == 0 || len >= out_len) return 0;
    memcpy(out, data, len);
    out[len] = '\0';
    return 1;
}

void conton_ssl_error_string(char *out, size_t out_len) {
    unsigned long e = ERR_get_error();
    if (e == 0) {
        snprintf(out, out_len, "unknown OpenSSL error");
    } else {
        ERR_error_string_n(e, out, out_len);
    }
    ERR_clear_error();
}

// MARK: development certificates

static void set_err(char *err, size_t err_len, const char *what) {
    char detail[256];
    conton_ssl_error_string(detail, sizeof detail);
    snprintf(err, err_len, "%s: %s", what, detail);
}

static EVP_PKEY *new_p256_key(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (ext == NULL) return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int random_serial(X509 *cert) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return 0;
    bytes[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(bytes, sizeof bytes, NULL);
    if (bn == NULL) return 0;
    int ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, long days) {
    X509 *cert = X509_new();
    if (cert == NULL) return NULL;
    X509_set_version(cert, 2);
    if (!random_serial(cert)) { X509_free(cert); return NULL; }
    // Valid from an hour ago (clock skew) for exactly `days` days in total.
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), days * 24 * 3600 - 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"ContOn development", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    return cert;
}

static int write_pem(const char *path, X509 *cert, EVP_PKEY *key) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, key != NULL ? 0600 : 0644);
    if (fd < 0) return 0;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) { close(fd); return 0; }
    int ok = cert != NULL ? PEM_write_X509(f, cert) : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) ok = 0;
    if (fclose(f) != 0) ok = 0;
    return ok;
}

static X509 *read_cert(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return NULL;
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    return cert;
}

static EVP_PKEY *read_key(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return NULL;
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    return key;
}

/// Issues a leaf certificate signed by the CA and writes it and its key.
#define DEV_SERVER_SAN "DNS:localhost,IP:127.0.0.1,IP:::1"

static int issue_leaf(X509 *ca, EVP_PKEY *ca_key, const char *cn, const char *san, const char *eku, long days,
                      const char *cert_path, const char *key_path, char *err, size_t err_len) {
    int ok = 0;
    EVP_PKEY *key = new_p256_key();
    X509 *cert = key ? new_cert(key, cn, days) : NULL;
    if (cert == NULL) { set_err(err, err_len, "leaf key or certificate"); goto done; }
    X509_set_issuer_name(cert, X509_get_subject_name(ca));
    if (!add_ext(cert, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(cert, ca, NID_key_usage, "critical,digitalSignature") ||
        !add_ext(cert, ca, NID_ext_key_usage, eku) ||
        !add_ext(cert, ca, NID_subject_key_identifier, "hash") ||
        !add_ext(cert, ca, NID_authority_key_identifier, "keyid:always") ||
        (san != NULL && !add_ext(cert, ca, NID_subject_alt_name, san))) {
        set_err(err, err_len, "leaf extensions");
        goto done;
    }
    if (X509_sign(cert, ca_key, EVP_sha256()) == 0) { set_err(err, err_len, "signing leaf"); goto done; }
    if (!write_pem(key_path, NULL, key) || !write_pem(cert_path, cert, NULL)) {
        snprintf(err, err_len, "cannot write %s or %s", cert_path, key_path);
        goto done;
    }
    ok = 1;
done:
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

int conton_generate_dev_certificates(const char *ca_cert_path, const char *ca_key_path,
                                     const char *server_cert_path, const char *server_key_path,
                                     long server_days, char *err, size_t err_len) {
    int ok = 0;
    EVP_PKEY *ca_key = new_p256_key();
    X509 *ca = ca_key ? new_cert(ca_key, "ContOn development CA", 3650) : NULL;
    if (ca == NULL) { set_err(err, err_len, "CA key or certificate"); goto done; }
    X509_set_issuer_name(ca, X509_get_subject_name(ca));
    if (!add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(ca, ca, NID_subject_key_identifier, "hash")) {
        set_err(err, err_len, "CA extensions");
        goto done;
    }
    if (X509_sign(ca, ca_key, EVP_sha256()) == 0) { set_err(err, err_len, "signing CA"); goto done; }
    if (!write_pem(ca_key_path, NULL, ca_key) || !write_pem(ca_cert_path, ca, NULL)) {
        snprintf(err, err_len, "cannot write %s or %s", ca_cert_path, ca_key_path);
        goto done;
    }
    ok = issue_leaf(ca, ca_key, "localhost", DEV_SERVER_SAN, "serverAuth", server_days,
                    server_cert_path, server_key_path, err, err_len);
done:
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}

int conton_renew_dev_server_certificate(const char *ca_cert_path, const char *ca_key_path,
                                        const char *server_cert_path, const char *server_key_path,
                                        long server_days, char *err, size_t err_len) {
    X509 *ca = read_cert(ca_cert_path);
    EVP_PKEY *ca_key = read_key(ca_key_path);
    int ok = 0;
    if (ca == NULL || ca_key == NULL) {
        snprintf(err, err_len, "cannot read CA %s / %s", ca_cert_path, ca_key_path);
    } else {
        ok = issue_leaf(ca, ca_key, "localhost", DEV_SERVER_SAN, "serverAuth", server_days,
                        server_cert_path, server_key_path, err, err_len);
    }
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}

int conton_certificate_validity(const char *path, int64_t *out, int64_t *lifetime) {
    X509 *cert = read_cert(path);
    if (cert == NULL) return 0;
    int days = 0, seconds = 0, ok = 0;
    if (ASN1_TIME_diff(&days, &seconds, NULL, X509_get0_notAfter(cert)) == 1) {
        *out = (int64_t)days * 86400 + seconds;
        if (ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)) == 1) {
            *lifetime = (int64_t)days * 86400 + seconds;
            ok = 1;
        }
    }
    X509_free(cert);
    return ok;
}

int conton_generate_client_certificate(const char *ca_cert_path, const char *ca_key_path,
                                       const char *common_name,
                                       const char *cert_path, const char *key_path,
                                       char *err, size_t err_len) {
    X509 *ca = read_cert(ca_cert_path);
    EVP_PKEY *ca_key = read_key(ca_key_path);
    int ok = 0;
    if (ca == NULL || ca_key == NULL) {
        snprintf(err, err_len, "cannot read CA %s / %s", ca_cert_path, ca_key_path);
    } else {
        ok = issue_leaf(ca, ca_key, common_name, NULL, "clientAuth", 365, cert_path, key_path, err, err_len);
    }
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}
