/* check_ftp_fake: the scripted FTP server (see check_ftp_fake.h), and the
 * helpers that log the engine in over it (check_ftp_scripts.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_ftp_fake.h"
#include "check_ftp_scripts.h"
#include "netaddr.h"
#include "sbuf.h"
#include "sysio.h"
#include "xalloc.h"

/* Receive buffer of the data listener: small, so an upload that the fake
 * does not read stalls quickly in the client. */
#define FAKE_DATA_RCVBUF 16384
/* Largest upload a FAKE_RECV step keeps. */
#define FAKE_RECV_MAX (64u * 1024 * 1024)

struct fake {
	const struct fake_step *steps;  /* the script */
	pthread_t thread;               /* plays it */
	bool started;                   /* thread is running */
	int ctl;                        /* control connection, -1 when closed */
	int ctl_listen;                 /* TCP listener for control connections, or -1 */
	int data_listen;                /* data listener, or -1 */
	int data;                       /* held data connection, or -1 */
	int data_port;                  /* port of the last data listener */
	bool v6;                        /* listen on ::1 rather than 127.0.0.1 */
	bool active;                    /* data actions connect to active_addr */
	struct netaddr active_addr;     /* where the client listens (EPRT/PORT) */
	char in[8192];                  /* control bytes read, not yet a line */
	size_t in_len;                  /* bytes in in */
	struct sbuf log;                /* command lines received */
	struct sbuf received;           /* uploaded bytes */
	char error[512];                /* what went wrong, "" if nothing */
};

/* Records the first error only. */
static void fake_error(struct fake *fk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fake_error(struct fake *fk, const char *fmt, ...)
{
	va_list ap;
	if (fk->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(fk->error, sizeof fk->error, fmt, ap);
	va_end(ap);
}

static void fake_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Waits until fd is readable; false after FAKE_WAIT_MS. */
static bool fake_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;
	do
		r = poll(&pfd, 1, FAKE_WAIT_MS);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/* Opens a listener on loopback port 0; sets *port. */
static int fake_listen(bool v6, int *port, bool small_rcvbuf)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (small_rcvbuf) {
		int sz = FAKE_DATA_RCVBUF;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			 : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Accepts one connection on lfd within FAKE_WAIT_MS. */
static int fake_accept(struct fake *fk, int lfd, const char *what)
{
	if (lfd < 0 || !fake_wait(lfd)) {
		fake_error(fk, "no %s connection came", what);
		return -1;
	}
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		fake_error(fk, "accept (%s): %s", what, strerror(errno));
	return fd;
}

/* Sends bytes on fd, all of them. */
static void fake_write(struct fake *fk, int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fake_error(fk, "send: %s", strerror(errno));
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Sends text on the control connection with the data port filled in. */
static void fake_say(struct fake *fk, const char *text)
{
	struct sbuf out;
	sbuf_init(&out, 65536);
	for (const char *p = text; *p;) {
		if (strncmp(p, "{PORT}", 6) == 0) {
			sbuf_printf(&out, "%d", fk->data_port);
			p += 6;
		} else if (strncmp(p, "{P1}", 4) == 0) {
			sbuf_printf(&out, "%d", fk->data_port >> 8);
			p += 4;
		} else if (strncmp(p, "{P2}", 4) == 0) {
			sbuf_printf(&out, "%d", fk->data_port & 255);
			p += 4;
		} else {
			sbuf_append(&out, p++, 1);
		}
	}
	if (fk->ctl < 0)
		fake_error(fk, "reply \"%.40s\" with the control connection closed", text);
	else
		fake_write(fk, fk->ctl, out.data, out.len);
	sbuf_free(&out);
}

/* Reads one CRLF-terminated line into line (NUL-terminated, CRLF removed).
 * Returns 1 for a line, 0 at end of stream, -1 on timeout or error. */
static int fake_read_line(struct fake *fk, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(fk->in, '\n', fk->in_len);
		if (nl != NULL) {
			size_t n = (size_t)(nl - fk->in);
			if (n == 0 || fk->in[n - 1] != '\r') {
				fake_error(fk, "a command line not ended by CRLF: \"%.*s\"", (int)n, fk->in);
				return -1;
			}
			n--;
			if (n >= size)
				n = size - 1;
			memcpy(line, fk->in, n);
			line[n] = '\0';
			size_t used = (size_t)(nl - fk->in) + 1;
			memmove(fk->in, fk->in + used, fk->in_len - used);
			fk->in_len -= used;
			sbuf_puts(&fk->log, line);
			sbuf_puts(&fk->log, "\n");
			return 1;
		}
		if (fk->ctl < 0)
			return 0;
		if (!fake_wait(fk->ctl))
			return -1;
		ssize_t r = read(fk->ctl, fk->in + fk->in_len, sizeof fk->in - fk->in_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 || errno == ECONNRESET ? 0 : -1;
		fk->in_len += (size_t)r;
	}
}

/* The data connection of a transfer: accepted on the data listener, or
 * (active mode) opened to the address the client announced. */
static int fake_data_conn(struct fake *fk)
{
	if (!fk->active)
		return fake_accept(fk, fk->data_listen, "data");
	const char *what = "connect";
	int fd = sysio_connect(&fk->active_addr, NULL, FAKE_WAIT_MS, &what);
	if (fd < 0)
		fake_error(fk, "active data connection (%s): %s", what, strerror(errno));
	else
		sysio_set_nonblock(fd, false);   /* blocking, as fake_accept's */
	return fd;
}

/* Connects to the client's active-mode listener from 127.0.0.2 and waits
 * until the client closes that connection unanswered. */
static void fake_stranger(struct fake *fk)
{
	struct netaddr from;
	const char *what = "connect";
	char buf[16];
	netaddr_parse_ip("127.0.0.2", 0, &from);
	int fd = sysio_connect(&fk->active_addr, &from, FAKE_WAIT_MS, &what);
	if (fd < 0) {
		fake_error(fk, "stranger's connection (%s): %s", what, strerror(errno));
		return;
	}
	if (!fake_wait(fd) || read(fd, buf, sizeof buf) > 0)
		fake_error(fk, "the client did not close a data connection from a stranger");
	close(fd);
}

/* Reads the address of an EPRT or PORT line (without the verb's check). */
static void fake_take_active(struct fake *fk, const char *line)
{
	const char *err = "not EPRT or PORT";
	if (strncmp(line, "EPRT ", 5) == 0)
		err = netaddr_decode_eprt(line + 5, &fk->active_addr);
	else if (strncmp(line, "PORT ", 5) == 0)
		err = netaddr_decode_port(line + 5, &fk->active_addr);
	if (err != NULL)
		fake_error(fk, "active address in \"%s\": %s", line, err);
	fk->active = err == NULL;
}

/* Runs the step's data or control action. */
static void fake_act(struct fake *fk, const struct fake_step *s)
{
	size_t dlen = s->data ? (s->data_len ? s->data_len : strlen(s->data)) : 0;
	char buf[65536];

	switch (s->act) {
	case FAKE_NONE:
		break;
	case FAKE_SEND:
	case FAKE_HOLD:
		fake_close(&fk->data);
		fk->data = fake_data_conn(fk);
		if (fk->data >= 0 && dlen > 0)
			fake_write(fk, fk->data, s->data, dlen);
		if (s->act == FAKE_SEND)
			fake_close(&fk->data);
		break;
	case FAKE_RECV: {
		int fd = fake_data_conn(fk);
		while (fd >= 0 && fake_wait(fd)) {
			ssize_t r = read(fd, buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (!sbuf_append(&fk->received, buf, (size_t)r)) {
				fake_error(fk, "upload larger than %u bytes", FAKE_RECV_MAX);
				break;
			}
		}
		fake_close(&fd);
		break;
	}
	case FAKE_DROP_DATA:
		fake_close(&fk->data);
		break;
	case FAKE_HANGUP:
		fake_close(&fk->ctl);
		fk->in_len = 0;
		break;
	case FAKE_SILENT:
		while (fk->ctl >= 0 && fake_read_line(fk, buf, sizeof buf) > 0)
			;
		fake_close(&fk->ctl);
		break;
	}
}

/* Plays the script, then waits for the client to hang up. */
static void *fake_main(void *arg)
{
	struct fake *fk = arg;
	char line[8192];

	if (fk->ctl_listen >= 0)
		fk->ctl = fake_accept(fk, fk->ctl_listen, "control");
	for (size_t i = 0; !fk->steps[i].end && fk->error[0] == '\0'; i++) {
		const struct fake_step *s = &fk->steps[i];
		if (s->expect != NULL) {
			int r = fake_read_line(fk, line, sizeof line);
			if (r <= 0) {
				fake_error(fk, "step %zu: %s while waiting for \"%s\"", i,
					   r == 0 ? "the client hung up" : "nothing came", s->expect);
				break;
			}
			if (s->prefix ? strncmp(line, s->expect, strlen(s->expect)) != 0
				      : strcmp(line, s->expect) != 0) {
				fake_error(fk, "step %zu: got \"%s\", want \"%s\"", i, line, s->expect);
				break;
			}
		}
		if (s->pre & FAKE_ACCEPT_CONTROL) {
			fake_close(&fk->ctl);
			fk->in_len = 0;
			fk->ctl = fake_accept(fk, fk->ctl_listen, "control");
		}
		if (s->pre & FAKE_ACTIVE)
			fake_take_active(fk, line);
		if (s->pre & (FAKE_LISTEN | FAKE_LISTEN_DEAD)) {
			fk->active = false;
			fake_close(&fk->data_listen);
			fk->data_listen = fake_listen(fk->v6, &fk->data_port, true);
			if (fk->data_listen < 0)
				fake_error(fk, "step %zu: data listener: %s", i, strerror(errno));
			if (s->pre & FAKE_LISTEN_DEAD)
				fake_close(&fk->data_listen);
		}
		if (s->reply != NULL)
			fake_say(fk, s->reply);
		if (s->pre & FAKE_STRANGER)
			fake_stranger(fk);
		fake_act(fk, s);
		if (s->after != NULL && s->after_ms > 0)
			usleep(s->after_ms * 1000);
		if (s->after != NULL)
			fake_say(fk, s->after);
	}
	/* The script is over: anything more from the client is a mistake. */
	if (fk->error[0] == '\0' && fk->ctl >= 0) {
		int r = fake_read_line(fk, line, sizeof line);
		if (r > 0)
			fake_error(fk, "a command after the script: \"%s\"", line);
		else if (r < 0)
			fake_error(fk, "the client did not hang up after the script");
	}
	fake_close(&fk->ctl);
	fake_close(&fk->data);
	fake_close(&fk->data_listen);
	return NULL;
}

/* Makes the state shared by both ways to start. */
static struct fake *fake_new(const struct fake_step *steps)
{
	struct fake *fk = xcalloc(1, sizeof *fk);
	fk->steps = steps;
	fk->ctl = fk->ctl_listen = fk->data_listen = fk->data = -1;
	sbuf_init(&fk->log, 1024 * 1024);
	sbuf_init(&fk->received, FAKE_RECV_MAX);
	return fk;
}

/* Starts the thread; false (with the error set) if it cannot run. */
static bool fake_run(struct fake *fk)
{
	if (pthread_create(&fk->thread, NULL, fake_main, fk) != 0) {
		fake_error(fk, "pthread_create failed");
		return false;
	}
	fk->started = true;
	return true;
}

struct fake *fake_start(const struct fake_step *steps, int *client_fd)
{
	struct fake *fk = fake_new(steps);
	int sv[2];
	*client_fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		fake_error(fk, "socketpair: %s", strerror(errno));
		return fk;
	}
	fk->ctl = sv[0];
	*client_fd = sv[1];
	fake_run(fk);
	return fk;
}

struct fake *fake_start_tcp(const struct fake_step *steps, bool v6, int *port)
{
	struct fake *fk = fake_new(steps);
	fk->v6 = v6;
	fk->ctl_listen = fake_listen(v6, port, false);
	if (fk->ctl_listen < 0) {
		fake_error(fk, "control listener: %s", strerror(errno));
		*port = 0;
		return fk;
	}
	fake_run(fk);
	return fk;
}

const char *fake_finish(struct fake *fk)
{
	if (fk->started) {
		pthread_join(fk->thread, NULL);
		fk->started = false;
	}
	fake_close(&fk->ctl_listen);
	return fk->error[0] ? fk->error : NULL;
}

const char *fake_received(const struct fake *fk, size_t *len)
{
	*len = fk->received.len;
	return sbuf_str(&fk->received);
}

const char *fake_log(const struct fake *fk)
{
	return sbuf_str(&fk->log);
}

void fake_free(struct fake *fk)
{
	if (fk == NULL)
		return;
	fake_finish(fk);
	sbuf_free(&fk->log);
	sbuf_free(&fk->received);
	free(fk);
}

struct ftp *fake_client(const struct fake_step *steps, struct fake **fk, enum ftp_status want)
{
	int fd;
	*fk = fake_start(steps, &fd);
	ck_assert_int_ge(fd, 0);
	struct ftp *f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	enum ftp_status st = ftp_connect_fd(f, fd, "127.0.0.1", NULL, NULL);
	ck_assert_msg(st == want, "login: %s (%s)", ftp_status_name(st), ftp_message(f));
	return f;
}

void fake_client_done(struct ftp *f, struct fake *fk)
{
	ftp_free(f);
	const char *err = fake_finish(fk);
	ck_assert_msg(err == NULL, "fake server: %s\ncommands received:\n%s", err, fake_log(fk));
	fake_free(fk);
}

void fake_list(const struct fake_step *steps, const char *path, enum ftp_status want,
	       struct ftp_listing *l, char *msg, size_t n)
{
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_list(f, path, l), want);
	if (msg != NULL)
		snprintf(msg, n, "%s", ftp_message(f));
	fake_client_done(f, fk);
}

struct ftp *fake_client_tcp(const struct fake_step *steps, struct fake **fk, struct sbuf *trace)
{
	int port;
	*fk = fake_start_tcp(steps, false, &port);
	ck_assert_int_gt(port, 0);
	struct ftp *f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	if (trace != NULL)
		ftp_set_trace(f, trace_collect, trace);
	ck_status(f, ftp_connect(f, "127.0.0.1", port, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_cwd(f, "pub"), FTP_S_OK);
	return f;
}

void trace_collect(void *arg, enum ftp_trace_kind kind, const char *text)
{
	struct sbuf *b = arg;
	sbuf_printf(b, "%c %s\n", kind == FTP_TRACE_SENT ? '>' : kind == FTP_TRACE_RECEIVED ? '<' : '#',
		    text);
}

int temp_fd(const char *content, size_t n)
{
	char path[] = "/tmp/check_ftp.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(sysio_write_all(fd, content, n), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

size_t read_back(int fd, char *buf, size_t size)
{
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ssize_t n = read(fd, buf, size - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return (size_t)n;
}
