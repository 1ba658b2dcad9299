/* digest: the checksums FTP's HASH command and its older X* forms offer
 * (SHA-256, SHA-1, MD5 through OpenSSL's EVP interface, CRC32 computed
 * here), fed in pieces and printed as lower-case hex. The server hashes
 * files for HASH/XSHA256/...; the client hashes local copies to compare
 * with the server's answer. */
#ifndef FERRY_DIGEST_H
#define FERRY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum digest_alg {
	DIGEST_SHA256,
	DIGEST_SHA1,
	DIGEST_MD5,
	DIGEST_CRC32,
	DIGEST_COUNT
};

/* Longest hex text a digest prints, with its NUL (SHA-256: 64 + 1). */
#define DIGEST_HEX_MAX 65

/* One digest being computed. Fields are private to digest.c. */
struct digest {
	enum digest_alg alg;
	void *evp;          /* EVP_MD_CTX for the EVP algorithms */
	uint32_t crc;       /* running CRC32 (as digest_crc32 returns it) */
};

/* The algorithm's name as HASH and FEAT spell it: "SHA-256", "SHA-1",
 * "MD5", "CRC32". */
const char *digest_name(enum digest_alg alg);
/* Looks an algorithm up by name, case-insensitively; the dash may be left
 * out ("sha256"). False if the name is none of them. */
bool digest_parse(const char *name, enum digest_alg *alg);
/* Hex characters in the algorithm's result (64, 40, 32 or 8). */
size_t digest_hex_len(enum digest_alg alg);

/* Starts a digest; 0, or -1 when OpenSSL refuses the algorithm (e.g. MD5
 * in a FIPS-only configuration). */
int digest_init(struct digest *d, enum digest_alg alg);
/* Feeds len bytes. */
void digest_update(struct digest *d, const void *buf, size_t len);
/* Writes the result as lower-case hex into hex (DIGEST_HEX_MAX bytes)
 * and frees what the digest holds. */
void digest_final_hex(struct digest *d, char hex[DIGEST_HEX_MAX]);
/* Frees an unfinished digest. */
void digest_abandon(struct digest *d);

/* CRC32 (IEEE 802.3, the zlib/`crc32` one) of buf, continuing from crc
 * (0 to start). */
uint32_t digest_crc32(uint32_t crc, const void *buf, size_t len);

/* Hashes length bytes of fd from offset (length -1: to the end of the
 * file) into hex; 0, or -1 with errno (EIO for a file that ended early). */
int digest_fd(enum digest_alg alg, int fd, off_t offset, off_t length,
	      char hex[DIGEST_HEX_MAX]);

#endif
