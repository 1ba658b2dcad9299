/* linereader: bounded FTP line splitting with Telnet IAC stripping. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "linereader.h"

/* Telnet command bytes (RFC 854). */
enum {
	TN_IAC = 255,
	TN_DONT = 254,
	TN_DO = 253,
	TN_WONT = 252,
	TN_WILL = 251,
	TN_SE = 240,   /* the lowest command byte */
};

/* IAC parser states. */
enum { IAC_NONE, IAC_SEEN, IAC_OPTION };

void lr_init(struct linereader *lr, bool telnet)
{
	lr->raw_start = lr->raw_end = 0;
	lr->line_len = 0;
	lr->overlong = false;
	lr->telnet = telnet;
	lr->iac_state = IAC_NONE;
	lr->line_ready = false;
	lr->line[0] = '\0';
}

/* Moves unscanned bytes to the front so there is room to read. */
static void lr_compact(struct linereader *lr)
{
	if (lr->raw_start == 0)
		return;
	memmove(lr->raw, lr->raw + lr->raw_start, lr->raw_end - lr->raw_start);
	lr->raw_end -= lr->raw_start;
	lr->raw_start = 0;
}

ssize_t lr_fill(struct linereader *lr, int fd)
{
	lr_compact(lr);
	size_t room = sizeof lr->raw - lr->raw_end;
	if (room == 0)
		return (errno = EAGAIN, -1);
	ssize_t n;
	do
		n = read(fd, lr->raw + lr->raw_end, room);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		lr->raw_end += (size_t)n;
	return n;
}

size_t lr_room(struct linereader *lr)
{
	lr_compact(lr);
	return sizeof lr->raw - lr->raw_end;
}

size_t lr_feed(struct linereader *lr, const void *data, size_t n)
{
	lr_compact(lr);
	size_t room = sizeof lr->raw - lr->raw_end;
	if (n > room)
		n = room;
	memcpy(lr->raw + lr->raw_end, data, n);
	lr->raw_end += n;
	return n;
}

bool lr_pending(const struct linereader *lr)
{
	return lr->raw_start < lr->raw_end;
}

bool lr_partial(const struct linereader *lr)
{
	return !lr->line_ready && (lr->line_len > 0 || lr->overlong || lr->iac_state != IAC_NONE);
}

/* Adds one data byte to the current line, noting when it passes the limit. */
static void lr_put(struct linereader *lr, unsigned char c)
{
	if (lr->overlong)
		return;
	if (lr->line_len >= FTP_LINE_MAX + 1) {
		lr->overlong = true;
		return;
	}
	lr->line[lr->line_len++] = (char)c;
}

/* Returns true if c is data (not part of a Telnet sequence). Clients
 * send Telnet commands before a command's verb (IP and DM before ABOR,
 * option talk from a Telnet program) and double a 0xFF in a name; many
 * send a name's 0xFF as it is, though, and in Latin-1 the bytes after it
 * may well be 0xF0 to 0xFE ("\xff\xf4" is "\xffô"). So inside a line
 * only IAC IAC is read as Telnet (one 0xFF); any other IAC there is the
 * byte 0xFF, and the byte after it is data too. */
static bool lr_telnet(struct linereader *lr, unsigned char c)
{
	bool line_start = lr->line_len == 0 && !lr->overlong;
	switch (lr->iac_state) {
	case IAC_NONE:
		if (c == TN_IAC) {
			lr->iac_state = IAC_SEEN;
			return false;
		}
		return true;
	case IAC_SEEN:
		if (c == TN_IAC) {          /* IAC IAC is a literal 0xFF */
			lr->iac_state = IAC_NONE;
			return true;
		}
		if (line_start && c >= TN_WILL && c <= TN_DONT) {
			lr->iac_state = IAC_OPTION;
			return false;
		}
		lr->iac_state = IAC_NONE;
		if (c < TN_SE || !line_start) {
			/* No Telnet command: a client that does not double
			 * 0xFF (wget, ncftp, ftplib) sent it in a name. Both
			 * bytes are data. */
			lr_put(lr, TN_IAC);
			return true;
		}
		return false;               /* IP, DM, AYT, ...: two bytes */
	default:                            /* option byte after WILL..DONT */
		lr->iac_state = IAC_NONE;
		return false;
	}
}

enum lr_status lr_next(struct linereader *lr, const char **line, size_t *len)
{
	if (lr->line_ready) {
		lr->line_ready = false;
		lr->line_len = 0;
		lr->overlong = false;
	}
	while (lr->raw_start < lr->raw_end) {
		unsigned char c = lr->raw[lr->raw_start++];
		if (lr->telnet && !lr_telnet(lr, c))
			continue;
		if (c != '\n') {
			lr_put(lr, c);
			continue;
		}
		lr->line_ready = true;
		if (lr->overlong || lr->line_len > FTP_LINE_MAX + 1 ||
		    (lr->line_len == FTP_LINE_MAX + 1 && lr->line[FTP_LINE_MAX] != '\r'))
			return LR_TOO_LONG;
		if (lr->line_len > 0 && lr->line[lr->line_len - 1] == '\r')
			lr->line_len--;
		lr->line[lr->line_len] = '\0';
		*line = lr->line;
		*len = lr->line_len;
		return LR_LINE;
	}
	return LR_NEED_MORE;
}
