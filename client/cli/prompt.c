/* prompt: the terminal side of the command line (see prompt.h). Line
 * editing is libedit's; only the password and yes/no readers are ours,
 * because they must not echo or keep history. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <editline/readline.h>

#include "prompt.h"
#include "sysio.h"
#include "xalloc.h"

/* The terminal of the session, for passwords. */
static const char prompt_tty[] = "/dev/tty";

char *prompt_line(const char *prompt)
{
	char *line = readline(prompt);
	if (line == NULL)
		return NULL;
	if (line[strspn(line, " \t")] != '\0')
		add_history(line);
	return line;
}

/* Reads bytes from fd up to a newline into buf (bounded, NUL-terminated,
 * newline dropped). Returns false at end of input, on an error or
 * interruption, or when the line is too long. */
static bool prompt_read_line(int fd, char *buf, size_t bufsz)
{
	size_t n = 0;
	bool fits = true;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r <= 0)
			return false;   /* EINTR too: a Ctrl-C cancels the question */
		if (c == '\n')
			break;
		if (n + 1 < bufsz)
			buf[n++] = c;
		else
			fits = false;
	}
	buf[n] = '\0';
	return fits;
}

char *prompt_secret(const char *prompt)
{
	char buf[PROMPT_SECRET_MAX];
	struct termios old, quiet;
	char *out = NULL;

	int fd = open(prompt_tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		quiet.c_lflag |= ECHONL;
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
			sysio_write_all(fd, prompt, strlen(prompt));
			if (prompt_read_line(fd, buf, sizeof buf))
				out = xstrdup(buf);
			else
				sysio_write_all(fd, "\n", 1);
			tcsetattr(fd, TCSAFLUSH, &old);
		}
	}
	memset(buf, 0, sizeof buf);
	close(fd);
	return out;
}

bool prompt_confirm(const char *question)
{
	char answer[PROMPT_SECRET_MAX];

	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!prompt_read_line(STDIN_FILENO, answer, sizeof answer)) {
		fputc('\n', stderr);
		return false;
	}
	const char *a = answer + strspn(answer, " \t");
	size_t n = strcspn(a, " \t\r");
	return (n == 1 && strncasecmp(a, "y", 1) == 0) || (n == 3 && strncasecmp(a, "yes", 3) == 0);
}

int prompt_choice(const char *question, const char *const *words)
{
	char answer[PROMPT_SECRET_MAX];

	fprintf(stderr, "%s", question);
	fflush(stderr);
	if (!prompt_read_line(STDIN_FILENO, answer, sizeof answer)) {
		fputc('\n', stderr);
		return -1;
	}
	const char *a = answer + strspn(answer, " \t");
	size_t n = strcspn(a, " \t\r");
	if (n == 0)
		return -1;
	for (int i = 0; words[i] != NULL; i++)
		if (n <= strlen(words[i]) && strncasecmp(a, words[i], n) == 0)
			return i;
	return -1;
}
