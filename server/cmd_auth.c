/* cmd_auth: USER, PASS, QUIT. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "commands.h"
#include "ftps.h"
#include "log.h"
#include "report.h"
#include "sanitize.h"
#include "sysio.h"
#include "tally.h"
#include "vfs.h"
#include "xalloc.h"

/* Failed logins allowed before the session is closed. */
#define MAX_FAILED_LOGINS 3
/* Seconds to wait before answering a failed login. */
#define FAILED_LOGIN_DELAY 1

void cmd_user(struct session *s, const char *arg)
{
	if (s->logged_in) {
		session_reply(s, FTP_NOT_LOGGED_IN, "Already logged in; cannot change user.");
		return;
	}
	if (!ftps_login_allowed(s))
		return;
	free(s->user);
	s->user = xstrdup(arg);
	if (auth_is_open_anonymous(s->cfg, arg))
		session_reply(s, FTP_NEED_PASSWORD, "Anonymous login ok, send any password.");
	else
		session_reply(s, FTP_NEED_PASSWORD, "Password required for %s.", arg);
}

/* Opens the user's root after a good password; false if unavailable. */
static bool open_home(struct session *s, const struct auth_result *res)
{
	int root = vfs_open_root(s->cfg->root);
	if (root < 0)
		return false;
	if (res->home[0] == '\0') {
		s->root_fd = root;
	} else {
		s->root_fd = vfs_open_home(root, res->home);
		close(root);
	}
	if (s->root_fd >= 0 && fstat(s->root_fd, &s->root_st) < 0)
		sysio_close(&s->root_fd);
	return s->root_fd >= 0;
}

void cmd_pass(struct session *s, const char *arg)
{
	if (s->logged_in) {
		session_reply(s, FTP_LOGGED_IN, "Already logged in.");
		return;
	}
	if (s->user == NULL) {
		session_reply(s, FTP_BAD_SEQUENCE, "Send USER first.");
		return;
	}
	char who[256];
	sanitize_text(s->user, strlen(s->user), who, sizeof who);
	struct auth_result res;
	if (auth_login(s->cfg, s->user, arg, &res)) {
		if (!open_home(s, &res)) {
			log_msg(LOG_ERR, "session %s: home of %s unavailable: %s", s->peer_str, who,
				strerror(errno));
			session_reply(s, FTP_NOT_LOGGED_IN, "Home directory unavailable.");
			return;
		}
		s->logged_in = true;
		report_send(REPORT_LOGIN_OK, NULL, 0);
		s->anonymous = res.anonymous;
		s->writable = res.writable;
		s->max_rate = res.max_rate;
		tally_login(s, arg);
		if (s->writable)
			vfs_clean_temps(s->root_fd, s->cfg->idle_timeout);
		log_msg(LOG_INFO, "login: peer=%s user=%s%s", s->peer_str, who,
			res.writable ? "" : " (read-only)");
		session_reply(s, FTP_LOGGED_IN, "Login successful.");
		return;
	}
	s->failed_logins++;
	/* One line per failure in a fixed form for log watchers such as
	 * fail2ban: the address has no port, and the user name, which the
	 * client chose, comes last. */
	char addr[NETADDR_STRLEN] = "local";
	if (s->peer.len != 0)
		netaddr_ntop(&s->peer, false, addr, sizeof addr);
	log_msg(LOG_NOTICE, "login failed: addr=%s attempt=%d user=%s", addr, s->failed_logins,
		who);
	report_send(REPORT_LOGIN_FAILED, NULL, 0);
	free(s->user);
	s->user = NULL;
	sleep(FAILED_LOGIN_DELAY);
	if (s->failed_logins >= MAX_FAILED_LOGINS) {
		session_reply(s, FTP_SERVICE_CLOSING, "Too many failed logins; closing.");
		s->quit = true;
		s->quit_reason = "too many failed logins";
		return;
	}
	session_reply(s, FTP_NOT_LOGGED_IN, "Login incorrect.");
}

void cmd_quit(struct session *s, const char *arg)
{
	session_reply(s, FTP_GOODBYE, "Goodbye.");
	s->quit = true;
}
