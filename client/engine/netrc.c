/* netrc: reading ~/.netrc (see netrc.h). A tokenizer hands out one token
 * at a time; the lookup walks the tokens as keyword/value pairs, keeping
 * the entry being read and the best match so far. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netrc.h"
#include "sbuf.h"
#include "sysio.h"
#include "xalloc.h"

/* Mode bits that must be clear on a file holding passwords: group and others. */
#define NETRC_PRIVATE_MASK 077

/* Reading position in the file's text. */
struct netrc_scan {
	const char *p;    /* next byte */
	const char *end;  /* end of the text */
	bool quoted;      /* the last token was in double quotes */
};

/* The keywords of the format. */
enum netrc_keyword {
	NETRC_OTHER,
	NETRC_MACHINE,
	NETRC_DEFAULT,
	NETRC_LOGIN,
	NETRC_PASSWORD,
	NETRC_ACCOUNT,
	NETRC_MACDEF,
};

static const struct {
	const char *word;
	enum netrc_keyword kw;
} netrc_keywords[] = {
	{ "machine", NETRC_MACHINE },
	{ "default", NETRC_DEFAULT },
	{ "login", NETRC_LOGIN },
	{ "password", NETRC_PASSWORD },
	{ "account", NETRC_ACCOUNT },
	{ "macdef", NETRC_MACDEF },
};

/* One entry as read so far. */
struct netrc_cur {
	bool active;      /* inside a machine or default entry */
	bool is_default;  /* it is the default entry */
	bool host_fits;   /* its machine name is the host wanted */
	char *login;      /* its login, or NULL */
	char *password;   /* its password, or NULL */
};

/* True for the bytes that separate tokens. */
static bool netrc_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Reads the next token into tok (which has room for the whole text);
 * false at the end of the text. */
static bool netrc_token(struct netrc_scan *s, struct sbuf *tok)
{
	sbuf_reset(tok);
	while (s->p < s->end && netrc_space(*s->p))
		s->p++;
	if (s->p >= s->end)
		return false;
	s->quoted = *s->p == '"';
	if (s->quoted) {
		for (s->p++; s->p < s->end && *s->p != '"'; s->p++) {
			if (*s->p == '\\' && s->p + 1 < s->end)
				s->p++;
			sbuf_append(tok, s->p, 1);
		}
		if (s->p < s->end)
			s->p++;
		return true;
	}
	while (s->p < s->end && !netrc_space(*s->p))
		sbuf_append(tok, s->p++, 1);
	return true;
}

/* Skips the rest of the current line (a comment). */
static void netrc_skip_line(struct netrc_scan *s)
{
	const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
	s->p = nl ? nl + 1 : s->end;
}

/* Skips a macro body: everything up to the next empty line. */
static void netrc_skip_macro(struct netrc_scan *s)
{
	const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
	while (nl != NULL) {
		const char *q = nl + 1;
		while (q < s->end && (*q == '\r' || *q == ' ' || *q == '\t'))
			q++;
		if (q >= s->end || *q == '\n') {
			s->p = q;
			return;
		}
		nl = memchr(q, '\n', (size_t)(s->end - q));
	}
	s->p = s->end;
}

/* The keyword a token is, or NETRC_OTHER. */
static enum netrc_keyword netrc_keyword(const char *tok)
{
	for (size_t i = 0; i < sizeof netrc_keywords / sizeof netrc_keywords[0]; i++)
		if (strcmp(tok, netrc_keywords[i].word) == 0)
			return netrc_keywords[i].kw;
	return NETRC_OTHER;
}

/* Replaces *slot with a copy of s, clearing the old one. */
static void netrc_set(char **slot, const char *s)
{
	if (*slot != NULL)
		memset(*slot, 0, strlen(*slot));
	free(*slot);
	*slot = s ? xstrdup(s) : NULL;
}

/* Ends the current entry: takes it as the answer (machine) or as the
 * fallback (default) when it fits. Returns true when the search is over. */
static bool netrc_close(struct netrc_cur *cur, const char *login, struct netrc_entry *found,
			struct netrc_entry *fallback, bool *have_fallback)
{
	bool fits = cur->active && (login == NULL || cur->login == NULL ||
				    strcmp(login, cur->login) == 0);
	bool done = false;
	if (fits && !cur->is_default && cur->host_fits) {
		netrc_set(&found->login, cur->login);
		netrc_set(&found->password, cur->password);
		done = true;
	} else if (fits && cur->is_default && !*have_fallback) {
		netrc_set(&fallback->login, cur->login);
		netrc_set(&fallback->password, cur->password);
		*have_fallback = true;
	}
	netrc_set(&cur->login, NULL);
	netrc_set(&cur->password, NULL);
	cur->active = cur->is_default = cur->host_fits = false;
	return done;
}

bool netrc_find(const char *text, size_t len, const char *host, const char *login,
		struct netrc_entry *out)
{
	struct netrc_scan s = { .p = text, .end = text + len };
	struct netrc_cur cur = { 0 };
	struct netrc_entry fallback = { 0 };
	bool have_fallback = false, done = false;
	struct sbuf tok;

	memset(out, 0, sizeof *out);
	/* No token is longer than the text: none is ever cut short. */
	sbuf_init(&tok, len);
	while (!done && netrc_token(&s, &tok)) {
		/* Where a keyword is due, '#' starts a comment (as curl and
		 * Python's netrc read it); a value such as a password may
		 * still begin with '#'. */
		if (sbuf_str(&tok)[0] == '#' && !s.quoted) {
			netrc_skip_line(&s);
			continue;
		}
		enum netrc_keyword kw = netrc_keyword(sbuf_str(&tok));
		switch (kw) {
		case NETRC_MACHINE:
		case NETRC_DEFAULT:
			done = netrc_close(&cur, login, out, &fallback, &have_fallback);
			if (done)
				break;
			cur.active = true;
			cur.is_default = kw == NETRC_DEFAULT;
			if (kw == NETRC_MACHINE && netrc_token(&s, &tok))
				cur.host_fits = strcasecmp(sbuf_str(&tok), host) == 0;
			break;
		case NETRC_LOGIN:
		case NETRC_PASSWORD:
			if (!netrc_token(&s, &tok))
				break;
			if (cur.active)
				netrc_set(kw == NETRC_LOGIN ? &cur.login : &cur.password,
					  sbuf_str(&tok));
			break;
		case NETRC_ACCOUNT:
			netrc_token(&s, &tok);
			break;
		case NETRC_MACDEF:
			netrc_token(&s, &tok);
			netrc_skip_macro(&s);
			break;
		case NETRC_OTHER:
			break;
		}
	}
	if (!done)
		done = netrc_close(&cur, login, out, &fallback, &have_fallback);
	if (!done && have_fallback) {
		*out = fallback;
		memset(&fallback, 0, sizeof fallback);
		done = true;
	}
	netrc_entry_free(&fallback);
	if (tok.data != NULL)
		memset(tok.data, 0, tok.cap);
	sbuf_free(&tok);
	return done;
}

/* Writes the default path, $HOME/.netrc (or the password database's home
 * when HOME is unset), into out; false if there is none. */
static bool netrc_default_path(struct sbuf *out)
{
	const char *home = getenv("HOME");
	if (home == NULL || home[0] == '\0') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	return home != NULL && sbuf_puts(out, home) && sbuf_puts(out, "/.netrc");
}

bool netrc_lookup(const char *path, const char *host, const char *login,
		  struct netrc_entry *out)
{
	struct sbuf name, text;
	bool found = false;
	char buf[4096];

	memset(out, 0, sizeof *out);
	sbuf_init(&name, 4096);
	sbuf_init(&text, NETRC_MAX);
	if (path != NULL ? sbuf_puts(&name, path) : netrc_default_path(&name)) {
		const char *why;
		int fd = sysio_open_regular(sbuf_str(&name), &why);
		struct stat sb;
		bool ok = fd >= 0 && fstat(fd, &sb) == 0;
		ssize_t n;
		while (ok && (n = sysio_read(fd, buf, sizeof buf)) != 0)
			ok = n > 0 && sbuf_append(&text, buf, (size_t)n);
		if (fd >= 0)
			close(fd);
		if (ok)
			found = netrc_find(sbuf_str(&text), text.len, host, login, out);
		if (found && out->password != NULL && (sb.st_mode & NETRC_PRIVATE_MASK) != 0) {
			netrc_set(&out->password, NULL);
			out->unsafe = true;
		}
		memset(buf, 0, sizeof buf);
		if (text.data != NULL)
			memset(text.data, 0, text.cap);
	}
	sbuf_free(&name);
	sbuf_free(&text);
	return found;
}

void netrc_entry_free(struct netrc_entry *e)
{
	netrc_set(&e->login, NULL);
	netrc_set(&e->password, NULL);
}
