/* ferryd: the FTP server's entry point. Parses options, binds, drops
 * privileges, then hands over to the listener (or, with -i, runs one
 * session on stdin/stdout). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "ftps.h"
#include "dataconn.h"
#include "listener.h"
#include "log.h"
#include "options.h"
#include "reload.h"
#include "sandbox.h"
#include "sdnotify.h"
#include "tls.h"
#include "cmdloop.h"
#include "vfs.h"
#include "xferlog.h"

/* Becomes cfg->run_as when started as root; never leaves a session as uid 0. */
static bool drop_privileges(const struct ferryd_config *cfg)
{
	/* Nothing after binding needs a capability, and none may come back
	 * through execve (the bounding set needs root to empty). */
	if (sandbox_drop_capabilities() < 0 && geteuid() == 0)
		log_msg(LOG_WARNING, "cannot empty the capability bounding set: %s", strerror(errno));
	if (geteuid() != 0)
		return true;
	errno = 0;
	struct passwd *pw = getpwnam(cfg->run_as);
	if (pw == NULL) {
		/* getpwnam leaves errno 0 (or ENOENT and kin) for a name that is
		 * not there; anything else means the lookup itself failed. */
		if (errno == 0 || errno == ENOENT || errno == ESRCH || errno == EBADF ||
		    errno == EPERM)
			log_msg(LOG_ERR, "--run-as %s: no such user", cfg->run_as);
		else
			log_msg(LOG_ERR, "--run-as %s: cannot look the user up: %s", cfg->run_as,
				strerror(errno));
		return false;
	}
	if (pw->pw_uid == 0) {
		log_msg(LOG_ERR, "--run-as %s: refusing to run sessions as root", cfg->run_as);
		return false;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		log_msg(LOG_ERR, "cannot become %s: %s", cfg->run_as, strerror(errno));
		return false;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		log_msg(LOG_ERR, "privileges were not dropped");
		return false;
	}
	return true;
}

/* Reads one password line from stdin and prints its hash. */
static int hash_password(void)
{
	char pw[1024];
	if (fgets(pw, sizeof pw, stdin) == NULL) {
		fprintf(stderr, "ferryd: no password on standard input\n");
		return 1;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	char hash[256];
	if (!auth_hash_password(pw, hash, sizeof hash)) {
		fprintf(stderr, "ferryd: crypt(3) failed to hash the password\n");
		return 1;
	}
	explicit_bzero(pw, sizeof pw);
	printf("%s\n", hash);
	return 0;
}

/* --check-config: what a start would load, without binding: the
 * certificate and key, the root as a directory. Prints the effective
 * configuration on success. Returns the exit status (ferryd(8)). */
static int check_config(const struct ferryd_config *cfg)
{
	char err[512];
	if (cfg->tls.mode != TLS_OFF) {
		struct tls_server *t = tls_server_new(&cfg->tls, err, sizeof err);
		if (!t) {
			fprintf(stderr, "ferryd: %s\n", err);
			return 1;
		}
		tls_server_free(t);
	}
	int root = vfs_open_root(cfg->root);
	if (root < 0) {
		fprintf(stderr, "ferryd: server root %s: %s\n", cfg->root, strerror(errno));
		return 1;
	}
	close(root);
	config_print(cfg, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Binds, drops privileges and serves; returns the exit status. */
static int serve(const struct ferryd_config *cfg)
{
	log_init("ferryd", cfg->log_target, cfg->verbose);
	/* A SIGHUP before the listener's handler is in place must not end
	 * the server: it waits, blocked, and the listener reloads then. */
	if (!cfg->inetd) {
		sigset_t hup;
		sigemptyset(&hup);
		sigaddset(&hup, SIGHUP);
		sigprocmask(SIG_BLOCK, &hup, NULL);
	}

	/* The session filter, compiled once here (each session only installs
	 * it) before the listeners start: from the listening line on, clients
	 * and signals are served without delay. */
	const char *what;
	if (cfg->sandbox && sandbox_prepare(&what) < 0) {
		log_msg(LOG_ERR, "session sandbox: %s: %s (--no-sandbox runs sessions without it)",
			what, strerror(errno));
		return 1;
	}

	dataconn_read_port_range();

	int fds[CONFIG_MAX_LISTEN];
	int nfds = 0;
	/* Sockets from systemd (ferryd.socket) stand for the listen addresses. */
	int inherited = cfg->inetd ? 0 : sdnotify_listen_fds(fds, CONFIG_MAX_LISTEN);
	if (inherited < 0 || (!cfg->inetd && !sdnotify_init()))
		return 1;
	if (!cfg->inetd && (nfds = listener_bind(cfg, fds, inherited)) < 0)
		return 1;
	/* Opened as root: the log's directory is usually root's. */
	if (cfg->xferlog && !xferlog_open(cfg->xferlog)) {
		log_msg(LOG_ERR, "--xferlog %s: %s", cfg->xferlog, strerror(errno));
		return 1;
	}
	/* The key may be readable by root only: load it before dropping. */
	if (!ftps_server_init(cfg) || !drop_privileges(cfg))
		return 1;
	int root = vfs_open_root(cfg->root);
	if (root < 0) {
		log_msg(LOG_ERR, "server root %s: %s", cfg->root, strerror(errno));
		return 1;
	}
	if (!vfs_supported(root)) {
		log_msg(LOG_ERR, "this kernel lacks openat2(RESOLVE_IN_ROOT) (Linux 5.6 or later "
			"is needed to confine sessions)");
		return 1;
	}
	vfs_clean_temps(root, cfg->idle_timeout);
	close(root);
	if (cfg->inetd) {
		signal(SIGPIPE, SIG_IGN);
		signal(SIGXFSZ, SIG_IGN);
		cmdloop_run(cfg, 0, 1);
		return 0;
	}
	return listener_run(cfg, fds, nfds);
}

int main(int argc, char **argv)
{
	struct ferryd_config cfg;
	char err[512];
	int bad = config_parse(&cfg, argc, argv, err, sizeof err);
	if (bad) {
		/* --help helps with the command line, not with a line of the file. */
		bool in_file = cfg.config_file &&
			       strncmp(err, cfg.config_file, strlen(cfg.config_file)) == 0;
		fprintf(stderr, "ferryd: %s\n%s", err,
			bad == 2 && !in_file ? "(try ferryd --help)\n" : "");
		config_free(&cfg);
		return bad;
	}
	reload_init(argc, argv);
	int status;
	switch (cfg.action) {
	case CONFIG_HELP: fputs(config_usage, stdout); fputs(tls_usage, stdout); status = 0; break;
	case CONFIG_VERSION: printf("ferryd %s\n", PACKAGE_VERSION); status = 0; break;
	case CONFIG_HASH_PASSWORD: status = hash_password(); break;
	case CONFIG_CHECK: status = check_config(&cfg); break;
	default: status = serve(&cfg); ftps_server_free(); reload_free(); break;
	}
	config_free(&cfg);
	return status;
}
