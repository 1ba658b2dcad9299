/* reload: SIGHUP (see reload.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ftps.h"
#include "log.h"
#include "reload.h"
#include "sandbox.h"
#include "xferlog.h"
#include "xalloc.h"

static int saved_argc;
static char **saved_argv;
/* The configuration this module made and owns (NULL: none yet). */
static struct ferryd_config *owned;

void reload_init(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
}

/* Keeps a setting the listener fixed at start: if next differs from cur,
 * logs it and copies cur's value over next's. */
#define KEEP(field, name)                                                             \
	do {                                                                           \
		if (memcmp(&next->field, &cur->field, sizeof cur->field) != 0) {       \
			log_msg(LOG_WARNING, "reload: %s changed; restart to apply", name); \
			memcpy(&next->field, &cur->field, sizeof cur->field);          \
		}                                                                      \
	} while (0)

/* Copies a string setting fixed at start (see KEEP). */
static void keep_string(char **next, const char *cur, const char *name)
{
	if ((*next == NULL) != (cur == NULL) || (cur && strcmp(*next, cur) != 0)) {
		log_msg(LOG_WARNING, "reload: %s changed; restart to apply", name);
		free(*next);
		*next = cur ? xstrdup(cur) : NULL;
	}
}

/* The settings of next that only a restart can change take cur's values. */
static void keep_fixed(struct ferryd_config *next, const struct ferryd_config *cur)
{
	if (next->nlisten != cur->nlisten ||
	    memcmp(next->listen, cur->listen, sizeof cur->listen[0] * (size_t)cur->nlisten) != 0 ||
	    memcmp(next->listen_pasv, cur->listen_pasv,
		   sizeof cur->listen_pasv[0] * (size_t)cur->nlisten) != 0) {
		log_msg(LOG_WARNING, "reload: listen changed; restart to apply "
			"(the listeners stay as they are)");
		next->nlisten = cur->nlisten;
		memcpy(next->listen, cur->listen, sizeof cur->listen);
		memcpy(next->listen_pasv, cur->listen_pasv, sizeof cur->listen_pasv);
	}
	KEEP(have_metrics, "metrics");
	KEEP(metrics, "metrics");
	KEEP(max_clients, "max-clients");
	KEEP(ban_after, "ban-after");
	KEEP(ban_window, "ban-window");
	KEEP(ban_time, "ban-time");
	KEEP(proxy_protocol, "proxy-protocol");
	KEEP(log_target, "syslog");
	KEEP(verbose, "verbose");
	keep_string(&next->run_as, cur->run_as, "run-as");
	keep_string(&next->xferlog, cur->xferlog, "xferlog");
}

const struct ferryd_config *reload_config(const struct ferryd_config *cur)
{
	struct ferryd_config *next = xcalloc(1, sizeof *next);
	char err[1024];
	if (config_parse(next, saved_argc, saved_argv, err, sizeof err) != 0) {
		/* The listener reads as the run-as user now. */
		const char *hint = strstr(err, strerror(EACCES)) ? " (the listener runs as the "
			"--run-as user: make the file readable by its group, mode 0640)" : "";
		log_msg(LOG_ERR, "reload failed, the configuration stays as it was: %s%s", err, hint);
		config_free(next);
		free(next);
		return cur;
	}
	keep_fixed(next, cur);
	const char *what;
	if (next->sandbox && sandbox_prepare(&what) < 0) {
		log_msg(LOG_ERR, "reload failed, the configuration stays as it was: session "
			"sandbox: %s: %s", what, strerror(errno));
		config_free(next);
		free(next);
		return cur;
	}
	if (!ftps_server_reload(next, err, sizeof err)) {
		log_msg(LOG_ERR, "reload failed, the configuration stays as it was: %s", err);
		config_free(next);
		free(next);
		return cur;
	}
	/* Log rotation: the xferlog path may name a new file now. Opened as
	 * the run-as user; on failure the old descriptor stays in use. */
	if (next->xferlog && !xferlog_open(next->xferlog))
		log_msg(LOG_WARNING, "xferlog %s: cannot reopen it (%s); still writing to the "
			"file opened before", next->xferlog, strerror(errno));
	log_msg(LOG_INFO, "reloaded: %s%s%zu accounts, root %s",
		next->config_file ? next->config_file : "", next->config_file ? ", " : "",
		next->users.n, next->root);
	if (owned) {
		config_free(owned);
		free(owned);
	}
	owned = next;
	return next;
}

void reload_free(void)
{
	if (owned) {
		config_free(owned);
		free(owned);
		owned = NULL;
	}
}
