/* cmdloop: the command loop of a session child. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdloop.h"
#include "commands.h"
#include "ftps.h"
#include "log.h"
#include "sandbox.h"
#include "session.h"
#include "sysio.h"

/* Runs the command loop of a session set up by session_init. */
static void serve(struct session *s)
{
	const struct ferryd_config *cfg = s->cfg;
	const char *what;
	s->in_transfer = commands_dispatch_in_transfer;
	if (cfg->sandbox && sandbox_enter(&what) < 0) {
		log_msg(LOG_ERR, "session sandbox: %s: %s", what, strerror(errno));
		session_reply(s, FTP_SERVICE_CLOSING, "Service not available: cannot start a session.");
		session_cleanup(s);
		return;
	}
	if (s->via.len != 0) {
		char via[NETADDR_STRLEN];
		netaddr_ntop(&s->via, true, via, sizeof via);
		log_msg(LOG_INFO, "session start: peer=%s via=%s", s->peer_str, via);
	} else {
		log_msg(LOG_INFO, "session start: peer=%s", s->peer_str);
	}
	if (!ftps_session_begin(s)) {
		log_msg(LOG_INFO, "session end: peer=%s user=- result=no TLS", s->peer_str);
		session_cleanup(s);
		return;
	}
	session_reply(s, FTP_READY, "ferryd ready.");

	while (!s->quit) {
		const char *line;
		size_t len;
		if (s->ndeferred > 0) {
			struct deferred_cmd d = s->deferred[0];
			memmove(&s->deferred[0], &s->deferred[1], --s->ndeferred * sizeof d);
			s->written_ahead = true;   /* it came during a transfer */
			commands_dispatch(s, d.line, d.len);
			free(d.line);
			continue;
		}
		if (!session_read_command(s, &line, &len))
			break;
		/* Copy: a transfer reads further control lines into the reader. */
		char copy[FTP_LINE_MAX + 2];
		memcpy(copy, line, len + 1);
		commands_dispatch(s, copy, len);
	}
	if (s->quit)
		log_msg(LOG_INFO, "session end: peer=%s user=%s seconds=%.1f%s%s", s->peer_str,
			s->user && s->logged_in ? s->user : "-",
			(double)(sysio_now_ms() - s->started_ms) / 1000.0,
			s->quit_reason ? " result=" : "", s->quit_reason ? s->quit_reason : "");
	session_cleanup(s);
}

/* The process's one session. In static storage rather than on the stack:
 * its large buffers (struct session) then cost only the pages a session
 * writes, where a stack frame of that size is touched all through. */
static struct session the_session;

void cmdloop_run(const struct ferryd_config *cfg, int ctl_in, int ctl_out)
{
	session_init(&the_session, cfg, ctl_in, ctl_out);
	serve(&the_session);
}

void cmdloop_run_via(const struct ferryd_config *cfg, int fd, const struct netaddr *client,
		     const struct netaddr *via)
{
	struct session *s = &the_session;
	session_init(s, cfg, fd, fd);
	s->via = *via;
	s->peer = *client;
	netaddr_unmap(&s->peer);
	netaddr_ntop(&s->peer, true, s->peer_str, sizeof s->peer_str);
	serve(s);
}
