/* Fuzz target: ferryd's command dispatch (server/commands.c and every
 * handler behind it) with a fake session: replies go to /dev/null, the
 * root is a small temporary tree rebuilt before every input, and passive
 * data connections are made by the harness itself.
 *
 * Input: one flag byte, then lines (LF, CR stripped):
 *   bit 0 logged in, bit 1 anonymous, bit 2 writable account,
 *   bits 3-4 the --anonymous mode, bit 5 --no-overwrite, bit 6
 *   --no-delete, bit 7 TYPE A to start with.
 * A line starting with '<' is not a command: its bytes are what the fake
 * client sends on the next data connection. Other lines go to
 * commands_dispatch as a client's commands. PASS before login is skipped:
 * a wrong password costs a second's sleep by design.
 *
 * Data connections need loopback sockets; to keep thousands of them per
 * second (and their TIME_WAIT) off the machine's loopback, the target
 * moves into a private network namespace first. Where that is not allowed
 * it runs without data connections (PASV then answers 425).
 *
 * Properties: no crash, no sanitizer report, and nothing outside the
 * root changes (a file beside the root is checked after every input). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "dataconn.h"
#include "fuzz.h"
#include "session.h"
#include "sysio.h"
#include "vfs.h"
#include "xalloc.h"

static struct ferryd_config cfg;
static char base[64];          /* the temporary directory */
static char root[128];         /* base/root: the session's root */
static char beside[128];       /* base/beside.txt: must never change */
static bool data_ok;           /* private network: data connections allowed */
static int null_fd, ctl_pipe[2];

static const char BESIDE[] = "outside the root\n";

/* Moves into a network namespace of our own with loopback up. */
static bool private_network(void)
{
	if (unshare(CLONE_NEWNET) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return false;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, "lo", 3);
	bool ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	close(fd);
	return ok;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static void put(const char *rel, const void *data, size_t n)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fuzz_check(fd >= 0);
	fuzz_check(write(fd, data, n) == (ssize_t)n);
	close(fd);
}

/* Empties the root and lays out the same small tree again. */
static void reset_tree(void)
{
	nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	char p[256];
	unsigned char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)i;
	put("a.txt", "hello\nworld\n", 12);
	put("name with space.txt", "x", 1);
	snprintf(p, sizeof p, "%s/dir", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/dir/sub", root);
	mkdir(p, 0755);
	put("dir/b.bin", bytes, sizeof bytes);
	snprintf(p, sizeof p, "%s/link", root);
	fuzz_check(symlink("dir", p) == 0);
	snprintf(p, sizeof p, "%s/escape", root);
	fuzz_check(symlink("../beside.txt", p) == 0);
}

/* Removes the temporary directory when the fuzzer or the replay ends. */
static void remove_base(void)
{
	nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(base);
}

static void setup_once(void)
{
	snprintf(base, sizeof base, "/tmp/ferry-fuzz-dispatch-XXXXXX");
	fuzz_check(mkdtemp(base) != NULL);
	snprintf(root, sizeof root, "%s/root", base);
	snprintf(beside, sizeof beside, "%s/beside.txt", base);
	fuzz_check(mkdir(root, 0755) == 0);
	atexit(remove_base);
	int fd = open(beside, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fuzz_check(fd >= 0 && write(fd, BESIDE, sizeof BESIDE - 1) == (ssize_t)sizeof BESIDE - 1);
	close(fd);
	data_ok = private_network();
	if (!data_ok)
		fprintf(stderr, "fuzz_dispatch: no private network namespace (%s); "
			"running without data connections\n", strerror(errno));
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	fuzz_check(null_fd >= 0);
	fuzz_check(pipe2(ctl_pipe, O_CLOEXEC | O_NONBLOCK) == 0);
	cfg.root = root;
	cfg.idle_timeout = 1;
	cfg.max_clients = 1;
	cfg.run_as = (char *)"nobody";
}

/* Checks that the file beside the root is untouched. */
static void check_beside(void)
{
	char buf[64];
	int fd = open(beside, O_RDONLY | O_CLOEXEC);
	fuzz_check(fd >= 0);
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n != (ssize_t)sizeof BESIDE - 1 || memcmp(buf, BESIDE, (size_t)n) != 0)
		fuzz_fail("a file outside the session root changed");
}

/* The fake client's end of a data connection. */
struct client {
	int fd;               /* connected socket, or -1 */
	int port;             /* the passive port it went to */
	const char *payload;  /* what it sends next */
	size_t payload_len;
};

/* Connects to a passive listener the session has just opened, sends the
 * payload and half-closes, so the transfer finds everything waiting. */
static void client_connect(struct session *s, struct client *c)
{
	struct netaddr a;
	if (!data_ok || s->dc.listen_fd < 0 || sysio_sockname(s->dc.listen_fd, &a) < 0)
		return;
	if (c->fd >= 0 && c->port == netaddr_port(&a))
		return;                /* already connected to this one */
	sysio_close(&c->fd);
	const char *what;
	c->fd = sysio_connect(&a, NULL, 1000, &what);
	if (c->fd < 0)
		return;
	c->port = netaddr_port(&a);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };   /* close with RST */
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	if (c->payload_len > 0)
		send(c->fd, c->payload, c->payload_len, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(c->fd, SHUT_WR);
	c->payload_len = 0;
}

/* True for PASS (a wrong one sleeps a second). */
static bool is_pass(const char *line, size_t len)
{
	return len >= 4 && strncasecmp(line, "PASS", 4) == 0 && (len == 4 || line[4] == ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (base[0] == '\0')
		setup_once();
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	reset_tree();
	cfg.anonymous = (enum anon_mode)((flags >> 3) & 3);
	cfg.no_overwrite = flags & 32;
	cfg.no_delete = flags & 64;

	struct session sess, *s = &sess;
	session_init(s, &cfg, ctl_pipe[0], null_fd);
	s->in_transfer = commands_dispatch_in_transfer;
	s->ascii = flags & 128;
	if (data_ok) {
		netaddr_parse_ip("127.0.0.1", 40000, &s->peer);
		netaddr_parse_ip("127.0.0.1", 21, &s->local);
	}
	if (flags & 1) {
		s->root_fd = vfs_open_root(root);
		fuzz_check(s->root_fd >= 0);
		s->logged_in = true;
		s->anonymous = flags & 2;
		s->writable = flags & 4;
		s->user = xstrdup(s->anonymous ? "anonymous" : "fuzz");
	}

	struct client c = { .fd = -1 };
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	while (p < end && !s->quit) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0 && p[0] == '<') {
			c.payload = p + 1;
			c.payload_len = len - 1;
		} else if (len <= FTP_LINE_MAX && !(is_pass(p, len) && !s->logged_in)) {
			char line[FTP_LINE_MAX + 1];
			memcpy(line, p, len);
			line[len] = '\0';
			client_connect(s, &c);
			commands_dispatch(s, line, len);
			client_connect(s, &c);
		}
		p = nl ? nl + 1 : end;
	}

	sysio_close(&c.fd);
	session_cleanup(s);
	check_beside();
	return 0;
}
