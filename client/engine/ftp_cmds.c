/* ftp_cmds: the commands that need no data connection: directories
 * (CWD, CDUP, PWD, MKD, RMD), files (DELE, RNFR/RNTO, SIZE, MDTM, SITE
 * CHMOD), the transfer type (TYPE), raw commands (quote), NOOP and QUIT. Each is an operation run through ftp_run, so a dropped
 * connection is reopened and the command tried once more. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftp_private.h"
#include "sanitize.h"
#include "sysio.h"
#include "vpath.h"
#include "xalloc.h"

/* Arguments of a one- or two-name command. */
struct cmd_args {
	const char *verb;   /* the FTP verb */
	const char *arg;    /* its argument, or NULL */
	const char *arg2;   /* RNTO's argument for a rename */
	off_t *size;        /* SIZE's result */
	time_t *mtime;      /* MDTM's result */
	unsigned *mode;     /* SITE CHMOD's mode */
	char *alg;          /* HASH's algorithm name (FTP_HASH_ALG_MAX bytes) */
	char *hex;          /* HASH's digest (FTP_HASH_HEX_MAX bytes) */
};

/* Sends verb arg and wants a 2xx reply. */
static enum ftp_status op_simple(struct ftp *f, void *p)
{
	const struct cmd_args *a = p;
	enum ftp_status st = ftp_command(f, a->verb, a->arg);
	return st != FTP_S_OK ? st : ftp_check(f, 2);
}

/* Checks the argument and runs op_simple. */
static enum ftp_status cmd_simple(struct ftp *f, const char *verb, const char *arg, bool needs_arg)
{
	enum ftp_status st;
	struct cmd_args a = { .verb = verb, .arg = arg };
	if (!ftp_arg_ok(f, arg, needs_arg, &st))
		return st;
	return ftp_run(f, op_simple, &a);
}

/* Sends PWD and remembers the directory from its 257 reply. */
static enum ftp_status cmd_read_pwd(struct ftp *f)
{
	enum ftp_status st = ftp_command(f, "PWD", NULL);
	if (st == FTP_S_OK)
		st = ftp_check(f, 2);
	if (st != FTP_S_OK)
		return st;
	char *path = f->code == FTP_PATH_CREATED ? ftp_parse_257(ftp_reply_text(f)) : NULL;
	if (path == NULL) {
		ftp_set_msg(f, "no directory name in the reply to PWD: %s", ftp_message(f));
		return FTP_S_REFUSED;
	}
	ftp_set_cwd(f, path);
	free(path);
	return FTP_S_OK;
}

/* After a directory change, learns the new directory with PWD; when the
 * server will not say, works it out from the old one and the argument
 * (lexically, for servers with Unix-like paths). */
static enum ftp_status cmd_refresh_cwd(struct ftp *f, const char *arg)
{
	char keep[FTP_MSG_MAX];
	int code = f->code;

	memcpy(keep, f->msg, sizeof keep);
	enum ftp_status st = cmd_read_pwd(f);
	if (st == FTP_S_BROKEN)
		return st;
	if (st != FTP_S_OK) {
		char out[FTP_PATH_MAX + 1];
		if (f->cwd != NULL && f->cwd[0] == '/' &&
		    vpath_resolve(f->cwd, arg, strlen(arg), out, sizeof out) == VPATH_OK)
			ftp_set_cwd(f, out);
		else
			ftp_set_cwd(f, NULL);
	}
	memcpy(f->msg, keep, sizeof keep);   /* the call's message is CWD's */
	f->code = code;
	return FTP_S_OK;
}

/* CWD path or CDUP, then PWD. */
static enum ftp_status op_chdir(struct ftp *f, void *p)
{
	const struct cmd_args *a = p;
	enum ftp_status st = ftp_command(f, a->verb, a->arg);
	if (st == FTP_S_OK)
		st = ftp_check(f, 2);
	if (st != FTP_S_OK)
		return st;
	return cmd_refresh_cwd(f, a->arg ? a->arg : "..");
}

enum ftp_status ftp_cwd(struct ftp *f, const char *path)
{
	enum ftp_status st;
	struct cmd_args a = { .verb = "CWD", .arg = path };
	if (!ftp_arg_ok(f, path, true, &st))
		return st;
	return ftp_run(f, op_chdir, &a);
}

enum ftp_status ftp_cdup(struct ftp *f)
{
	struct cmd_args a = { .verb = "CDUP" };
	return ftp_run(f, op_chdir, &a);
}

/* PWD alone. */
static enum ftp_status op_pwd(struct ftp *f, void *p)
{
	(void)p;
	return cmd_read_pwd(f);
}

enum ftp_status ftp_pwd(struct ftp *f)
{
	return ftp_run(f, op_pwd, NULL);
}

enum ftp_status ftp_mkdir(struct ftp *f, const char *path)
{
	return cmd_simple(f, "MKD", path, true);
}

enum ftp_status ftp_rmdir(struct ftp *f, const char *path)
{
	return cmd_simple(f, "RMD", path, true);
}

enum ftp_status ftp_delete(struct ftp *f, const char *path)
{
	return cmd_simple(f, "DELE", path, true);
}

enum ftp_status ftp_noop(struct ftp *f)
{
	return cmd_simple(f, "NOOP", NULL, false);
}

/* RNFR (wants 350), then RNTO (wants 2xx). */
static enum ftp_status op_rename(struct ftp *f, void *p)
{
	const struct cmd_args *a = p;
	enum ftp_status st = ftp_command(f, "RNFR", a->arg);
	if (st == FTP_S_OK)
		st = ftp_check(f, 3);
	if (st == FTP_S_OK)
		st = ftp_command(f, "RNTO", a->arg2);
	return st != FTP_S_OK ? st : ftp_check(f, 2);
}

enum ftp_status ftp_rename(struct ftp *f, const char *from, const char *to)
{
	enum ftp_status st;
	struct cmd_args a = { .arg = from, .arg2 = to };
	if (!ftp_arg_ok(f, from, true, &st) || !ftp_arg_ok(f, to, true, &st))
		return st;
	return ftp_run(f, op_rename, &a);
}

/* The 213 reply's value with surrounding spaces removed: sets *s and *n.
 * The value of a multi-line reply is on its last line, after the text
 * of the others. */
static void cmd_value(const struct ftp *f, const char **s, size_t *n)
{
	const char *t = ftp_reply_text(f);
	size_t len = strlen(t);
	while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\n'))
		len--;
	const char *last = memrchr(t, '\n', len);
	if (last != NULL) {
		len -= (size_t)(last + 1 - t);
		t = last + 1;
	}
	while (len > 0 && *t == ' ') {
		t++;
		len--;
	}
	*s = t;
	*n = len;
}

bool ftp_reply_size(const struct ftp *f, off_t *size)
{
	const char *s;
	size_t n;
	long long v = 0;
	cmd_value(f, &s, &n);
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*size = (off_t)v;
	return true;
}

time_t ftp_reply_time(const struct ftp *f)
{
	const char *s;
	size_t n;
	cmd_value(f, &s, &n);
	return listparse_time_val(s, n);
}

/* SIZE path: a decimal number of bytes. */
static enum ftp_status op_size(struct ftp *f, void *p)
{
	const struct cmd_args *a = p;
	enum ftp_status st = op_simple(f, p);
	if (st != FTP_S_OK)
		return st;
	if (!ftp_reply_size(f, a->size)) {
		ftp_set_msg(f, "not a size in the reply to SIZE: %s", ftp_message(f));
		return FTP_S_REFUSED;
	}
	return FTP_S_OK;
}

enum ftp_status ftp_size(struct ftp *f, const char *path, off_t *size)
{
	enum ftp_status st;
	struct cmd_args a = { .verb = "SIZE", .arg = path, .size = size };
	if (!ftp_arg_ok(f, path, true, &st))
		return st;
	return ftp_run(f, op_size, &a);
}

/* HASH path (draft-bryan-ftpext-hash): "213 ALG START-END HEX PATH". */
static enum ftp_status op_hash(struct ftp *f, void *p)
{
	const struct cmd_args *a = p;
	enum ftp_status st = ftp_command(f, "HASH", a->arg);
	if (st == FTP_S_OK)
		st = ftp_check(f, 2);
	if (st != FTP_S_OK)
		return st;
	const char *t = ftp_reply_text(f);
	size_t n[3], at = 0;
	const char *w[3];
	for (int i = 0; i < 3; i++) {   /* the algorithm, the range, the digest */
		at += strspn(t + at, " ");
		w[i] = t + at;
		n[i] = strcspn(w[i], " \n");
		at += n[i];
	}
	bool hex = n[2] > 0 && n[2] < FTP_HASH_HEX_MAX && strspn(w[2], "0123456789abcdefABCDEF") == n[2];
	if (f->code != 213 || n[0] == 0 || n[0] >= FTP_HASH_ALG_MAX || !hex) {
		ftp_set_msg(f, "not a digest in the reply to HASH: %s", ftp_message(f));
		return FTP_S_REFUSED;
	}
	memcpy(a->alg, w[0], n[0]);
	a->alg[n[0]] = '\0';
	for (size_t i = 0; i < n[2]; i++)
		a->hex[i] = (char)(w[2][i] >= 'A' && w[2][i] <= 'F' ? w[2][i] - 'A' + 'a' : w[2][i]);
	a->hex[n[2]] = '\0';
	return FTP_S_OK;
}

enum ftp_status ftp_hash(struct ftp *f, const char *path, char alg[FTP_HASH_ALG_MAX],
			 char hex[FTP_HASH_HEX_MAX])
{
	enum ftp_status st;
	struct cmd_args a = { .verb = "HASH", .arg = path, .alg = alg, .hex = hex };
	if (!ftp_arg_ok(f, path, true, &st))
		return st;
	if (!(f->feat & FTP_FEAT_HASH)) {
		ftp_set_msg(f, "the server does not offer HASH");
		f->code = 0;
		return FTP_S_REFUSED;
	}
	return ftp_run(f, op_hash, &a);
}

/* MDTM path: an RFC 3659 time-val. */
static enum ftp_status op_mdtm(struct ftp *f, void *p)
{
	const struct cmd_args *a = p;
	enum ftp_status st = op_simple(f, p);
	if (st != FTP_S_OK)
		return st;
	time_t t = ftp_reply_time(f);
	if (t == 0) {
		ftp_set_msg(f, "not a time in the reply to MDTM: %s", ftp_message(f));
		return FTP_S_REFUSED;
	}
	*a->mtime = t;
	return FTP_S_OK;
}

enum ftp_status ftp_mdtm(struct ftp *f, const char *path, time_t *mtime)
{
	enum ftp_status st;
	struct cmd_args a = { .verb = "MDTM", .arg = path, .mtime = mtime };
	if (!ftp_arg_ok(f, path, true, &st))
		return st;
	return ftp_run(f, op_mdtm, &a);
}

/* TYPE A or TYPE I, remembered for reconnects once the server agrees. */
static enum ftp_status op_type(struct ftp *f, void *p)
{
	bool ascii = *(bool *)p;
	enum ftp_status st = ftp_command(f, "TYPE", ascii ? "A" : "I");
	if (st == FTP_S_OK)
		st = ftp_check(f, 2);
	if (st == FTP_S_OK)
		f->ascii = ascii;
	return st;
}

enum ftp_status ftp_set_type(struct ftp *f, bool ascii)
{
	return ftp_run(f, op_type, &ascii);
}

bool ftp_ascii(const struct ftp *f)
{
	return f->ascii;
}

/* A raw command line: its verb and the rest as the argument, so the
 * argument's 0xFF bytes are escaped like any other. Wants 1xx to 3xx. */
static enum ftp_status op_quote(struct ftp *f, void *p)
{
	const char *line = p;
	const char *sp = strchr(line, ' ');
	char verb[FTP_LINE_MAX + 1];
	size_t n = sp ? (size_t)(sp - line) : strlen(line);

	memcpy(verb, line, n);
	verb[n] = '\0';
	enum ftp_status st = ftp_command(f, verb, sp ? sp + 1 : NULL);
	if (st != FTP_S_OK)
		return st;
	ftp_msg_from_reply(f);
	if (f->code == FTP_SERVICE_CLOSING)
		return FTP_S_BROKEN;
	return f->code / 100 <= 3 ? FTP_S_OK : FTP_S_REFUSED;
}

enum ftp_status ftp_quote(struct ftp *f, const char *line)
{
	enum ftp_status st;
	if (!ftp_arg_ok(f, line, true, &st))
		return st;
	if (line[0] == ' ') {
		ftp_set_msg(f, "a command starts with its verb");
		return FTP_S_USAGE;
	}
	return ftp_run(f, op_quote, (void *)line);
}

const char *ftp_reply_lines(struct ftp *f)
{
	const char *t = ftp_reply_text(f);
	size_t n = strlen(t);

	free(f->reply_shown);
	f->reply_shown = NULL;
	if (f->code == 0)
		return "";
	/* Each line sanitised on its own, the line breaks kept. */
	f->reply_shown = xmalloc(n + 5);
	size_t o = (size_t)snprintf(f->reply_shown, 5, "%03d ", f->code);
	while (*t != '\0') {
		size_t len = strcspn(t, "\n");
		sanitize_text(t, len, f->reply_shown + o, len + 1);
		o += strlen(f->reply_shown + o);
		t += len;
		if (*t == '\n') {
			f->reply_shown[o++] = '\n';
			t++;
		}
	}
	f->reply_shown[o] = '\0';
	return f->reply_shown;
}

/* SITE CHMOD mode path. */
static enum ftp_status op_chmod(struct ftp *f, void *p)
{
	const struct cmd_args *a = p;
	char arg[FTP_LINE_MAX + 1];
	snprintf(arg, sizeof arg, "CHMOD %03o %s", (unsigned)*a->mode, a->arg);
	enum ftp_status st = ftp_command(f, "SITE", arg);
	return st == FTP_S_OK ? ftp_check(f, 2) : st;
}

enum ftp_status ftp_chmod(struct ftp *f, const char *path, unsigned mode)
{
	enum ftp_status st;
	struct cmd_args a = { .arg = path, .mode = &mode };
	if (!ftp_arg_ok(f, path, true, &st))
		return st;
	if (mode > 07777) {
		ftp_set_msg(f, "a mode is at most 7777 (octal)");
		return FTP_S_USAGE;
	}
	return ftp_run(f, op_chmod, &a);
}

enum ftp_status ftp_quit(struct ftp *f)
{
	f->code = 0;
	if (f->ctl != NULL)
		ftp_drain(f);
	if (f->ctl == NULL) {
		ftp_set_msg(f, "not connected");
		ftp_hang_up(f);   /* MFMTs kept from a lost connection: not sent now */
		return FTP_S_OK;
	}
	/* After a wait that timed out, the server gets a short while only. */
	int wait = f->stalled && f->timeout_ms > FTP_GIVE_UP_MS ? FTP_GIVE_UP_MS : f->timeout_ms;
	long long deadline = sysio_now_ms() + wait;
	enum ftp_status st = ftp_send(f, "QUIT", NULL);
	while (st == FTP_S_OK) {
		long long left = deadline - sysio_now_ms();
		st = ftp_read_reply_within(f, left > 0 ? (int)left : 0);
		if (st == FTP_S_OK && f->code >= 200)
			break;
	}
	if (st == FTP_S_OK)
		st = ftp_check(f, 2);
	if (f->ctl != NULL)
		conn_shutdown(f->ctl);   /* our close_notify under TLS; no wait */
	ftp_hang_up(f);
	return st;
}
