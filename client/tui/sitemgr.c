/* sitemgr: the site manager (see sitemgr.h). The list is drawn as an
 * overlay while app_wait_key keeps the workers heard; the sites file is
 * read when the manager opens and written after each change, so what is
 * on the screen is what is on disk. A site's fields are asked one dialog
 * at a time (dialog.h). */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "creds.h"
#include "dialog.h"
#include "draw.h"
#include "keys.h"
#include "sanitize.h"
#include "sitemgr.h"
#include "sites.h"
#include "url.h"
#include "xalloc.h"

/* Longest row of the list, in bytes. */
#define SM_LINE_MAX 1024
/* Narrowest manager box, in columns: its key line fits. */
#define SM_MIN_W 74
/* Longest question, in bytes. */
#define SM_QUESTION_MAX 512

/* What a row of the list is. */
enum sm_kind { SM_NEW, SM_SITE, SM_RECENT };

/* The manager's state while it is open. */
struct sm {
	char path[SITES_PATH_MAX];          /* the sites file */
	char recent_path[SITES_PATH_MAX];   /* the recent hosts file */
	struct sites sites;                 /* as read */
	char (*recent)[URL_MAX];            /* recent hosts */
	size_t nrecent;
	size_t cur;                         /* the row under the cursor */
	size_t top;                         /* the first row shown */
	char note[SM_LINE_MAX];             /* the last line: what happened, or an error */
};

static size_t sm_rows(const struct sm *m)
{
	return 1 + m->sites.n + m->nrecent;
}

/* The kind of row i and its index among its kind. */
static enum sm_kind sm_row(const struct sm *m, size_t i, size_t *index)
{
	if (i == 0) {
		*index = 0;
		return SM_NEW;
	}
	if (i - 1 < m->sites.n) {
		*index = i - 1;
		return SM_SITE;
	}
	*index = i - 1 - m->sites.n;
	return SM_RECENT;
}

/* Writes row i's text into out. */
static void sm_row_text(const struct sm *m, size_t i, char *out, size_t outsz)
{
	size_t k;
	char url[URL_MAX];
	switch (sm_row(m, i, &k)) {
	case SM_NEW:
		snprintf(out, outsz, "  New connection (a host or a URL)...");
		break;
	case SM_SITE: {
		const struct site *s = &m->sites.v[k];
		sites_url(s, url, sizeof url);
		/* The name padded to 20 columns (not bytes: wide characters). */
		int pad = 20 - draw_columns(s->name);
		snprintf(out, outsz, "  site    %s%*s %.300s%s%.200s%s", s->name, pad > 0 ? pad : 0,
			 "", url, s->user[0] ? "  user " : "",
			 s->user, s->pass[0] ? "  (password kept)" : "");
		break;
	}
	case SM_RECENT:
		snprintf(out, outsz, "  recent  %s", m->recent[k]);
		break;
	}
}

/* Draws the manager over the screen. */
static void sm_draw(struct app *a, const void *arg)
{
	const struct sm *m = arg;
	int rows, cols;
	(void)a;
	getmaxyx(stdscr, rows, cols);
	/* As small as its rows allow, so the panes show around it. */
	char line[SM_LINE_MAX], shown[SM_LINE_MAX];
	size_t n = sm_rows(m);
	int w = SM_MIN_W;
	for (size_t i = 0; i < n; i++) {
		sm_row_text(m, i, line, sizeof line);
		if (draw_columns(line) + 4 > w)
			w = draw_columns(line) + 4;
	}
	if (w > cols - 4)
		w = cols - 4;
	int h = (int)n + 7 < rows - 4 ? (int)n + 7 : rows - 4;
	if (w < 20 || h < 7)
		return;
	int list = h - 6;   /* rows of the list */
	WINDOW *win = draw_window(h, w, true);
	if (win == NULL)
		return;
	snprintf(line, sizeof line, " Sites: %.*s ", (int)sizeof line - 12, m->path);
	sanitize_text(line, strlen(line), shown, sizeof shown);
	draw_fit(win, 0, 2, shown, w - 4, A_NORMAL);
	for (int r = 0; r < list && m->top + (size_t)r < n; r++) {
		size_t i = m->top + (size_t)r;
		sm_row_text(m, i, line, sizeof line);
		sanitize_text(line, strlen(line), shown, sizeof shown);
		attr_t at = i == m->cur ? A_REVERSE : A_NORMAL;
		int used = draw_fit(win, 2 + r, 1, shown, w - 2, at);
		wattrset(win, at);
		for (int x = used + 1; i == m->cur && x < w - 1; x++)
			mvwaddch(win, 2 + r, x, ' ');
	}
	wattrset(win, A_NORMAL);
	sanitize_text(m->note, strlen(m->note), shown, sizeof shown);
	draw_fit(win, h - 3, 2, shown, w - 4, A_NORMAL);
	/* The keys in the longest form that fits. */
	static const char *const keys[] = {
		"Enter connect  a add  e edit  d delete  s save as a site  Esc close",
		"Enter connect  a add  e edit  d delete  s save  Esc close",
		"Enter  a add  e edit  d delete  s save  Esc",
		"a add  e edit  d del  s save", "Enter a e d s Esc",
	};
	draw_fit(win, h - 2, 2, draw_first_fit(keys, sizeof keys / sizeof keys[0], w - 4), w - 4,
		 A_NORMAL);
	wnoutrefresh(win);
	delwin(win);
}

/* Reads the files; false (note set) when the sites file is bad. */
static bool sm_load(struct sm *m)
{
	char err[SITES_ERR_MAX];
	bool ok = true;
	sites_free(&m->sites);
	if (sites_path(m->path, sizeof m->path, err, sizeof err) < 0 ||
	    sites_load(&m->sites, m->path, err, sizeof err) < 0) {
		snprintf(m->note, sizeof m->note, "%s", err);
		ok = false;
	}
	if (m->recent == NULL)
		m->recent = xcalloc(SITES_RECENT_MAX, URL_MAX);
	m->nrecent = 0;
	if (sites_recent_path(m->recent_path, sizeof m->recent_path, err, sizeof err) == 0)
		m->nrecent = sites_recent_load(m->recent_path, m->recent, SITES_RECENT_MAX);
	if (m->cur >= sm_rows(m))
		m->cur = sm_rows(m) - 1;
	return ok;
}

/* Writes the sites file; the note says what happened. */
static void sm_save(struct sm *m, const char *done)
{
	char err[SITES_ERR_MAX];
	if (sites_save(&m->sites, m->path, err, sizeof err) < 0)
		snprintf(m->note, sizeof m->note, "not saved: %s", err);
	else
		snprintf(m->note, sizeof m->note, "%s", done);
}

/* ---- connecting ---- */

/* What ftp:// does about TLS for each choice. */
static const enum tlsc_mode sm_tls_mode[] = {
	[SITES_TLS_AUTO] = TLSC_AUTO, [SITES_TLS_REQUIRE] = TLSC_REQUIRE,
	[SITES_TLS_IMPLICIT] = TLSC_AUTO, [SITES_TLS_OFF] = TLSC_OFF,
};

/* What a recent host's line ends with when its connection was made with
 * TLS off: an ftp:// URL alone means "TLS when offered". */
#define SM_RECENT_PLAIN " tls=off"

/* Copies a recent host's URL (without the TLS mark) into url; true when
 * it was marked as made with TLS off. */
static bool sm_recent_split(const char *line, char *url, size_t n)
{
	size_t len = strlen(line), mark = strlen(SM_RECENT_PLAIN);
	bool plain = len > mark && strcmp(line + len - mark, SM_RECENT_PLAIN) == 0;
	snprintf(url, n, "%.*s", (int)(plain ? len - mark : len), line);
	return plain;
}

/* Fills l from u by the login rule (creds.h): the site's user and
 * password, else ~/.netrc's; *ask says a password is still to be asked. */
static void sm_login(struct app_login *l, const struct url *u, const char *user_option,
		     enum sites_tls tls, bool *ask)
{
	struct creds_source src = { .option = user_option, .url_user = u->user,
				    .url_pass = u->pass, .host = u->host, .port = u->port };
	struct creds cr;
	memset(l, 0, sizeof *l);
	snprintf(l->host, sizeof l->host, "%s", u->host);
	l->port = u->port;
	snprintf(l->scheme, sizeof l->scheme, "%s", u->scheme);
	l->tls = sm_tls_mode[tls];
	creds_resolve(&src, &cr);
	snprintf(l->user, sizeof l->user, "%s", cr.user ? cr.user : "");
	snprintf(l->pass, sizeof l->pass, "%s", cr.pass ? cr.pass : "");
	*ask = creds_need_password(&cr);
	char warning[APP_STATUS_MAX];
	if (creds_warning(&cr, u->host, warning, sizeof warning) != NULL)
		snprintf(l->note, sizeof l->note, "warning: %.*s", (int)sizeof l->note - 10, warning);
	creds_free(&cr);
}

/* Applies a site's data connection mode to every connection made now. */
static void sm_mode(struct app *a, enum sites_mode mode)
{
	if (mode != SITES_MODE_DEFAULT)
		a->settings.active = mode == SITES_MODE_ACTIVE;
}

/* Connects to u (TLS choice tls), asking for a password when the login
 * needs one; local: a folder to show on the left, or "". False when Esc
 * cancelled the password. */
static bool sm_connect(struct app *a, const struct url *u, enum sites_tls tls, const char *local)
{
	struct app_login l;
	bool ask;
	sm_login(&l, u, NULL, tls, &ask);
	if (ask) {
		char q[SM_QUESTION_MAX];
		snprintf(q, sizeof q, "Password for %.200s@%.200s:", l.user, l.host);
		if (!dialog_input(a, q, l.pass, sizeof l.pass, true, false)) {
			explicit_bzero(&l, sizeof l);
			return false;
		}
	}
	a->trying = l;
	explicit_bzero(&l, sizeof l);
	if (local[0] != '\0')
		side_load(a, APP_LOCAL, local, NULL);
	side_connect(a, u->path);
	return true;
}

/* Connects to row i; false when nothing was started (the manager stays). */
static bool sm_open(struct app *a, struct sm *m, size_t i)
{
	size_t k;
	struct url u;
	bool started = false;
	switch (sm_row(m, i, &k)) {
	case SM_NEW:
		actions_quick_connect(a);
		return true;
	case SM_SITE: {
		const struct site *s = &m->sites.v[k];
		sites_to_url(s, &u);
		sm_mode(a, s->mode);
		started = sm_connect(a, &u, s->tls, s->local);
		url_free(&u);
		return started;
	}
	case SM_RECENT: {
		char text[URL_MAX];
		bool plain = sm_recent_split(m->recent[k], text, sizeof text);
		const char *err = url_parse(text, &u);
		if (err != NULL) {
			snprintf(m->note, sizeof m->note, "%s: %s", m->recent[k], err);
			return false;
		}
		enum sites_tls tls = plain ? SITES_TLS_OFF
				   : strcmp(u.scheme, "ftps") == 0 ? SITES_TLS_IMPLICIT
				   : strcmp(u.scheme, "ftpes") == 0 ? SITES_TLS_REQUIRE : SITES_TLS_AUTO;
		started = sm_connect(a, &u, tls, "");
		url_free(&u);
		return started;
	}
	}
	return false;
}

/* ---- editing ---- */

/* The TLS choices as the editor offers them. */
static const char *const sm_tls_lines[] = {
	"a = auto: TLS when the server offers it, else plain FTP (said so)",
	"r = require: TLS (AUTH TLS) or no connection (ftpes://)",
	"i = implicit TLS from the first byte (ftps://, port 990)",
	"o = off: plain FTP, nothing encrypted",
};
/* Their keys, in enum sites_tls order. */
static const char sm_tls_keys[] = "ario";

/* Asks one text field; false when Esc cancels. */
static bool sm_field(struct app *a, const char *prompt, char *buf, size_t size)
{
	return dialog_input(a, prompt, buf, size, false, true);
}

/* Asks every field of s; false when Esc cancelled one. */
static bool sm_ask_site(struct app *a, struct site *s)
{
	char url[URL_MAX];
	if (!sm_field(a, "Site name:", s->name, sizeof s->name))
		return false;
	if (s->host[0] != '\0')
		sites_url(s, url, sizeof url);
	else
		url[0] = '\0';
	for (;;) {
		if (!sm_field(a, "Host or URL (ftp://, ftps://, ftpes://; host:port):", url, sizeof url))
			return false;
		struct site t = *s;
		const char *err = sites_set_url(&t, url);
		if (err == NULL) {
			*s = t;
			break;
		}
		app_status(a, true, "bad address: %s", err);
	}
	const char *lines[8];
	char head[SM_QUESTION_MAX], foot[SM_QUESTION_MAX];
	size_t n = 0;
	snprintf(head, sizeof head, "TLS for %s:", s->name);
	lines[n++] = head;
	for (size_t i = 0; i < sizeof sm_tls_lines / sizeof sm_tls_lines[0]; i++)
		lines[n++] = sm_tls_lines[i];
	snprintf(foot, sizeof foot, "Enter = %c (as now), Esc = cancel", sm_tls_keys[s->tls]);
	lines[n++] = "";
	lines[n++] = foot;
	lines[n] = NULL;
	int k = dialog_choose(a, lines, sm_tls_keys, (int)s->tls);
	if (k < 0)
		return false;
	bool was_implicit = s->tls == SITES_TLS_IMPLICIT;
	s->tls = (enum sites_tls)k;
	/* The port follows a move to or from implicit TLS when it was the default. */
	if (was_implicit != (s->tls == SITES_TLS_IMPLICIT) && s->port == (was_implicit ? 990 : 21))
		s->port = was_implicit ? 21 : 990;
	if (!sm_field(a, "User (empty = anonymous or ~/.netrc):", s->user, sizeof s->user))
		return false;
	char q[SM_QUESTION_MAX];
	snprintf(q, sizeof q, "Keep a password for %s in the sites file (mode 0600)? "
		 "No: it is asked when connecting.", s->name);
	if (dialog_yesno(a, q)) {
		if (!dialog_input(a, "Password to keep:", s->pass, sizeof s->pass, true, true))
			return false;
	} else {
		explicit_bzero(s->pass, sizeof s->pass);
	}
	if (!sm_field(a, "Remote folder to start in (empty = the login's):", s->remote,
		      sizeof s->remote) ||
	    !sm_field(a, "Local folder to start in (empty = where ferry started):", s->local,
		      sizeof s->local))
		return false;
	const char *modes[] = { "Data connections:", "p = passive (the client connects)",
				"a = active (the server connects back: PORT/EPRT)",
				"d = as the command line says (--active)", "", "Enter = as now",
				NULL };
	static const enum sites_mode mode_of[] = { SITES_MODE_PASSIVE, SITES_MODE_ACTIVE,
						   SITES_MODE_DEFAULT };
	int now = s->mode == SITES_MODE_PASSIVE ? 0 : s->mode == SITES_MODE_ACTIVE ? 1 : 2;
	k = dialog_choose(a, modes, "pad", now);
	if (k < 0)
		return false;
	s->mode = mode_of[k];
	return true;
}

/* Adds a site (from: a start, or NULL) or edits the one called old. */
static void sm_edit(struct app *a, struct sm *m, const struct site *from, const char *old)
{
	struct site s;
	char oldname[SITES_NAME_MAX] = "";
	if (from != NULL)
		s = *from;
	else {
		memset(&s, 0, sizeof s);
		s.port = 21;
	}
	if (old != NULL)
		snprintf(oldname, sizeof oldname, "%s", old);
	for (;;) {
		if (!sm_ask_site(a, &s)) {
			snprintf(m->note, sizeof m->note, "nothing saved");
			break;
		}
		/* Read again: the file may have changed since the manager opened. */
		if (!sm_load(m))
			break;
		const char *err = sites_put(&m->sites, &s, old ? oldname : NULL);
		if (err == NULL) {
			char done[SM_LINE_MAX];
			snprintf(done, sizeof done, "saved %s", s.name);
			sm_save(m, done);
			for (size_t i = 0; i < m->sites.n; i++)
				if (strcmp(m->sites.v[i].name, s.name) == 0)
					m->cur = i + 1;
			break;
		}
		app_status(a, true, "%s", err);
	}
	explicit_bzero(&s, sizeof s);
}

/* A new site from a recent host's URL. */
static void sm_from_recent(struct app *a, struct sm *m, size_t k)
{
	struct site s;
	memset(&s, 0, sizeof s);
	char url[URL_MAX];
	bool plain = sm_recent_split(m->recent[k], url, sizeof url);
	if (sites_set_url(&s, url) != NULL) {
		snprintf(m->note, sizeof m->note, "%s: not a URL", m->recent[k]);
		return;
	}
	if (plain)
		s.tls = SITES_TLS_OFF;
	snprintf(s.name, sizeof s.name, "%.*s", (int)sizeof s.name - 1, s.host);
	sm_edit(a, m, &s, NULL);
}

static void sm_delete(struct app *a, struct sm *m, size_t k)
{
	char q[SM_QUESTION_MAX], name[SITES_NAME_MAX];
	snprintf(name, sizeof name, "%s", m->sites.v[k].name);
	snprintf(q, sizeof q, "Delete the site %s?", name);
	if (!dialog_yesno(a, q)) {
		snprintf(m->note, sizeof m->note, "nothing deleted");
		return;
	}
	if (!sm_load(m))
		return;
	if (sites_remove(&m->sites, name))
		sm_save(m, "deleted");
	if (m->cur >= sm_rows(m))
		m->cur = sm_rows(m) - 1;
}

/* ---- the list ---- */

/* Keeps the cursor's row in the rows shown. */
static void sm_scroll(struct sm *m)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	(void)cols;
	size_t list = rows > 10 ? (size_t)(rows - 10) : 1;
	if (m->cur < m->top)
		m->top = m->cur;
	if (m->cur >= m->top + list)
		m->top = m->cur - list + 1;
}

void sitemgr_run(struct app *a)
{
	struct sm *m = xcalloc(1, sizeof *m);
	if (sm_load(m))
		snprintf(m->note, sizeof m->note, "%zu site(s), %zu recent host(s)", m->sites.n,
			 m->nrecent);
	for (bool done = false; !done;) {
		sm_scroll(m);
		int k = dialog_overlay_key(a, sm_draw, m);
		size_t idx;
		enum sm_kind kind = sm_row(m, m->cur, &idx);
		enum keys_action act = keys_lookup(k);
		if (k == KEYS_ESC || k == KEYS_CTRL('c') || k == 'q' || k == KEYS_FN + KEY_F(10) ||
		    k == KEYS_FN + KEY_F(2))
			done = true;
		else if (act == ACT_UP && m->cur > 0)
			m->cur--;
		else if (act == ACT_DOWN && m->cur + 1 < sm_rows(m))
			m->cur++;
		else if (act == ACT_HOME)
			m->cur = 0;
		else if (act == ACT_END)
			m->cur = sm_rows(m) - 1;
		else if (act == ACT_OPEN)
			done = sm_open(a, m, m->cur);
		else if (k == 'a' || k == KEYS_FN + KEY_IC)
			sm_edit(a, m, NULL, NULL);
		else if ((k == 'e' || k == KEYS_FN + KEY_F(4)) && kind == SM_SITE)
			sm_edit(a, m, &m->sites.v[idx], m->sites.v[idx].name);
		else if ((k == 'd' || k == KEYS_FN + KEY_DC || k == KEYS_FN + KEY_F(8)) &&
			 kind == SM_SITE)
			sm_delete(a, m, idx);
		else if (k == 's' && kind == SM_RECENT)
			sm_from_recent(a, m, idx);
	}
	sites_free(&m->sites);
	free(m->recent);
	free(m);
}

const char *sitemgr_start(struct app *a, const char *name, const char *user_option, char **path,
			  char *err, size_t errsz)
{
	char file[SITES_PATH_MAX];
	struct sites all;
	*path = NULL;
	if (sites_path(file, sizeof file, err, errsz) < 0 || sites_load(&all, file, err, errsz) < 0)
		return err;
	const struct site *s = sites_find(&all, name);
	if (s == NULL) {
		snprintf(err, errsz, "no site called @%s in %s", name, file);
		sites_free(&all);
		return err;
	}
	if (s->local[0] != '\0' && chdir(s->local) < 0) {
		snprintf(err, errsz, "%s: %s", s->local, strerror(errno));
		sites_free(&all);
		return err;
	}
	struct url u;
	bool ask;
	sites_to_url(s, &u);
	/* -u wins over the site's user, as over a URL's; a password still
	 * missing: F2 asks again. */
	sm_login(&a->trying, &u, user_option, s->tls, &ask);
	sm_mode(a, s->mode);
	*path = u.path ? xstrdup(u.path) : NULL;
	url_free(&u);
	sites_free(&all);
	return NULL;
}

/* Appends s percent-encoded (all but unreserved characters) to out. */
static void sm_encode(char *out, size_t outsz, const char *s)
{
	size_t o = strlen(out);
	for (; *s && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c) != NULL)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outsz - o, "%%%02X", c);
	}
	out[o] = '\0';
}

void sitemgr_remember(const struct app *a)
{
	char path[SITES_PATH_MAX], err[SITES_ERR_MAX], url[URL_MAX];
	const struct app_login *l = &a->login;
	if (sites_recent_path(path, sizeof path, err, sizeof err) < 0)
		return;
	/* The TLS choice comes back with the host: required TLS as ftpes://,
	 * TLS off marked after the URL. */
	bool ftp = strcmp(l->scheme, "ftp") == 0;
	bool plain = ftp && l->tls == TLSC_OFF;
	snprintf(url, sizeof url, "%s://", ftp && l->tls == TLSC_REQUIRE ? "ftpes" : l->scheme);
	if (l->user[0] != '\0' && !creds_is_anonymous(l->user)) {
		sm_encode(url, sizeof url, l->user);
		snprintf(url + strlen(url), sizeof url - strlen(url), "@");
	}
	bool v6 = strchr(l->host, ':') != NULL;
	snprintf(url + strlen(url), sizeof url - strlen(url), "%s%s%s:%d", v6 ? "[" : "", l->host,
		 v6 ? "]" : "", l->port);
	if (plain)
		snprintf(url + strlen(url), sizeof url - strlen(url), "%s", SM_RECENT_PLAIN);
	sites_recent_add(path, url, err, sizeof err);
}
