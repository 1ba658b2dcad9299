/* interrupt: the SIGINT flag (see interrupt.h). The handler uses only
 * async-signal-safe calls: unlink, write and _exit. */
#include "config.h"

#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "interrupt.h"

/* Set by the handler, cleared by interrupt_clear. */
static volatile sig_atomic_t interrupt_flag;
/* True while guard_path holds a complete name. */
static volatile sig_atomic_t guard_set;
/* The temporary file to remove on a forced exit. */
static char guard_path[PATH_MAX];

/* SIGINT: note it; a second one before the first was taken ends ferry. */
static void interrupt_handler(int sig)
{
	(void)sig;
	if (interrupt_flag) {
		static const char msg[] = "ferry: interrupted\n";
		if (guard_set)
			unlink(guard_path);
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
			/* nothing more can be said */
		}
		_exit(INTERRUPT_EXIT);
	}
	interrupt_flag = 1;
}

void interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = interrupt_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: waits return EINTR */
	sigaction(SIGINT, &sa, NULL);
}

bool interrupt_pending(void)
{
	return interrupt_flag != 0;
}

void interrupt_clear(void)
{
	interrupt_flag = 0;
}

void interrupt_guard_file(const char *path)
{
	guard_set = 0;
	if (path == NULL || strlen(path) >= sizeof guard_path)
		return;
	memcpy(guard_path, path, strlen(path) + 1);
	guard_set = 1;
}
