/* digest: SHA-256, SHA-1, MD5 and CRC32 (see digest.h). */
#include "config.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "digest.h"
#include "xalloc.h"

static const struct {
	const char *name;   /* as HASH spells it */
	const char *alias;  /* without the dash */
	size_t hex_len;
} algs[DIGEST_COUNT] = {
	[DIGEST_SHA256] = { "SHA-256", "SHA256", 64 },
	[DIGEST_SHA1] = { "SHA-1", "SHA1", 40 },
	[DIGEST_MD5] = { "MD5", "MD5", 32 },
	[DIGEST_CRC32] = { "CRC32", "CRC-32", 8 },
};

const char *digest_name(enum digest_alg alg)
{
	return alg < DIGEST_COUNT ? algs[alg].name : "?";
}

bool digest_parse(const char *name, enum digest_alg *alg)
{
	for (int i = 0; i < DIGEST_COUNT; i++) {
		if (strcasecmp(name, algs[i].name) == 0 || strcasecmp(name, algs[i].alias) == 0) {
			*alg = (enum digest_alg)i;
			return true;
		}
	}
	return false;
}

size_t digest_hex_len(enum digest_alg alg)
{
	return alg < DIGEST_COUNT ? algs[alg].hex_len : 0;
}

/* CRC32 four bits at a time: the reflected polynomial 0xEDB88320's
 * remainders of the 16 nibbles (a constant table, safe from any thread). */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
	0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
	0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t digest_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	crc = ~crc;
	while (len-- > 0) {
		crc ^= *p++;
		crc = crc_nibble[crc & 15] ^ (crc >> 4);
		crc = crc_nibble[crc & 15] ^ (crc >> 4);
	}
	return ~crc;
}

static const EVP_MD *evp_md(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_SHA256:
		return EVP_sha256();
	case DIGEST_SHA1:
		return EVP_sha1();
	case DIGEST_MD5:
		return EVP_md5();
	default:
		return NULL;
	}
}

int digest_init(struct digest *d, enum digest_alg alg)
{
	memset(d, 0, sizeof *d);
	d->alg = alg;
	if (alg == DIGEST_CRC32)
		return 0;
	const EVP_MD *md = evp_md(alg);
	EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
	if (ctx == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	d->evp = ctx;
	return 0;
}

void digest_update(struct digest *d, const void *buf, size_t len)
{
	if (d->alg == DIGEST_CRC32)
		d->crc = digest_crc32(d->crc, buf, len);
	else
		EVP_DigestUpdate(d->evp, buf, len);
}

static void to_hex(const unsigned char *bin, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 15];
	}
	hex[2 * n] = '\0';
}

void digest_final_hex(struct digest *d, char hex[DIGEST_HEX_MAX])
{
	unsigned char bin[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (d->alg == DIGEST_CRC32) {
		for (int i = 0; i < 4; i++)
			bin[i] = (unsigned char)(d->crc >> (24 - 8 * i));
		n = 4;
	} else {
		EVP_DigestFinal_ex(d->evp, bin, &n);
	}
	to_hex(bin, n, hex);
	digest_abandon(d);
}

void digest_abandon(struct digest *d)
{
	EVP_MD_CTX_free(d->evp);
	d->evp = NULL;
}

int digest_fd(enum digest_alg alg, int fd, off_t offset, off_t length,
	      char hex[DIGEST_HEX_MAX])
{
	struct digest d;
	if (digest_init(&d, alg) < 0) {
		errno = ENOTSUP;
		return -1;
	}
	enum { BUF = 1 << 16 };
	char *buf = xmalloc(BUF);
	while (length != 0) {
		size_t want = length < 0 || length > BUF ? BUF : (size_t)length;
		ssize_t n = pread(fd, buf, want, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n == 0 && length > 0)) {
			int err = n < 0 ? errno : EIO;
			free(buf);
			digest_abandon(&d);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		digest_update(&d, buf, (size_t)n);
		offset += n;
		if (length > 0)
			length -= n;
	}
	free(buf);
	digest_final_hex(&d, hex);
	return 0;
}
