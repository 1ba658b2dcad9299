/* tally: transfer log lines and metric reports from a session (see tally.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sysio.h"
#include "tally.h"
#include "xferlog.h"

/* Each transfer verb: its report number and its xferlog direction
 * ('\0': listings, which the xferlog format has no place for). */
static const struct {
	const char *verb;
	enum report_xfer_cmd cmd;
	char direction;
	bool upload;
} verbs[] = {
	{ "RETR", RX_RETR, 'o', false },
	{ "STOR", RX_STOR, 'i', true },
	{ "STOU", RX_STOU, 'i', true },
	{ "APPE", RX_APPE, 'i', true },
	{ "LIST", RX_LIST, '\0', false },
	{ "NLST", RX_NLST, '\0', false },
	{ "MLSD", RX_MLSD, '\0', false },
};

/* The anonymous password of this session's login (one session per
 * process), for the xferlog's user field. */
static char anon_ident[128];

void tally_login(const struct session *s, const char *password)
{
	snprintf(anon_ident, sizeof anon_ident, "%s", s->anonymous ? password : "");
}

/* How a transfer's result counts: an upload that ended early and was
 * thrown away is "discarded", a download cut the same way "failed". */
static enum report_xfer_result result_of(enum xfer_result r, bool upload)
{
	switch (r) {
	case XFER_OK: return RX_OK;
	case XFER_ABORTED: return RX_ABORTED;
	case XFER_CONTROL_LOST:
	case XFER_INCOMPLETE: return upload ? RX_DISCARDED : RX_FAILED;
	case XFER_NET_ERROR:
	case XFER_TIMEOUT:
	case XFER_LOCAL_ERROR: break;
	}
	return RX_FAILED;
}

void tally_transfer(const struct session *s, enum xfer_result r, off_t bytes)
{
	size_t i = 0;
	while (i < sizeof verbs / sizeof verbs[0] && strcmp(verbs[i].verb, s->xfer.verb) != 0)
		i++;
	if (i == sizeof verbs / sizeof verbs[0])
		return;
	struct report_transfer t = {
		.cmd = (uint8_t)verbs[i].cmd,
		.result = (uint8_t)result_of(r, verbs[i].upload),
		.bytes = bytes > 0 ? (uint64_t)bytes : 0,
	};
	/* Only --metrics counts transfers: without it the report would wake
	 * the listener for nothing, on the session's CPU before the reply. */
	if (s->cfg->have_metrics)
		report_send_nowait(REPORT_TRANSFER, &t, sizeof t);
	if (verbs[i].direction == '\0' || !xferlog_enabled())
		return;
	char host[NETADDR_STRLEN] = "local";
	if (s->peer.len != 0)
		netaddr_ntop(&s->peer, false, host, sizeof host);
	long long ms = sysio_now_ms() - s->xfer.start_ms;
	struct xferlog_entry e = {
		.when = time(NULL),
		.seconds = (ms + 999) / 1000,
		.host = host,
		.bytes = (long long)t.bytes,
		.path = s->xfer.path,
		.ascii = s->ascii,
		.direction = verbs[i].direction,
		.anonymous = s->anonymous,
		.user = s->anonymous ? anon_ident : s->user ? s->user : "",
		.complete = r == XFER_OK,
	};
	xferlog_write(&e);
}

void tally_dataconn_failed(enum report_dc_fail why)
{
	uint8_t b = (uint8_t)why;
	report_send_nowait(REPORT_DATACONN_FAIL, &b, 1);
}

void tally_tls_handshake(bool ok)
{
	uint8_t b = ok ? 1 : 0;
	report_send_nowait(REPORT_TLS, &b, 1);
}
