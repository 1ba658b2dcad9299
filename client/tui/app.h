/* app: the TUI's state shared by its parts: event loop (app.c), actions
 * (actions.c), directory sides (side.c), key table (keys.c), drawing
 * (draw.c) and dialogs (dialog.c). No curses types here: only draw.c,
 * dialog.c and app.c talk to the terminal. */
#ifndef FERRY_TUI_APP_H
#define FERRY_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "ftp.h"
#include "pane.h"
#include "queue.h"
#include "worker.h"

/* Longest status message, in bytes. */
#define APP_STATUS_MAX 512
/* Longest host, user or password kept, in bytes. */
#define APP_FIELD_MAX 256
/* Finished transfers kept on show in the panel. */
#define APP_KEEP_FINISHED 20

/* Which pane is which. */
enum app_side {
	APP_LOCAL = 0,   /* left: this machine's files */
	APP_REMOTE = 1,  /* right: the server's files */
	APP_SIDES = 2,
};

/* Where the browser connection points. */
struct app_login {
	char host[APP_FIELD_MAX];  /* host, "" when none */
	int port;                  /* port */
	char user[APP_FIELD_MAX];  /* user, "" = anonymous */
	char pass[APP_FIELD_MAX];  /* password, "" when none */
};

/* The whole TUI state. */
struct app {
	struct pane *pane[APP_SIDES];  /* the two panes */
	enum app_side active;          /* pane with the cursor */
	struct ftp *ftp;               /* the browser's connection */
	struct app_login login;        /* where it points */
	bool connected;                /* a login succeeded (the engine reopens drops) */
	struct queue *queue;           /* the transfers */
	struct worker worker;          /* the transfer process */
	size_t xfer_sel;               /* transfer selected in the panel (index) */
	char status[APP_STATUS_MAX];   /* status line text (sanitised) */
	bool status_error;             /* the status line shows an error */
	bool refresh_due;              /* a transfer ended: reload the panes */
	long long refreshed_ms;        /* when the panes were last reloaded */
	bool colors;                   /* colours in use */
	bool quit;                     /* leave the loop */
	bool asking;                   /* asking about held transfers (not again inside) */
	size_t pane_height;            /* rows of entries drawn at the last draw */
	void (*overlay)(struct app *a, const void *arg); /* draws an open dialog over the screen, or NULL */
	const void *overlay_arg;       /* what the overlay draws */
};

/* Sets the status line (printf-style; the text is sanitised). */
void app_status(struct app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Waits for a key while keeping transfers reported and the screen drawn;
 * returns the key code (keys.h). */
int app_wait_key(struct app *a);
/* Draws everything now. */
void app_redraw(struct app *a);
/* Starts queued transfers when the worker is free. */
void app_pump(struct app *a);

/* Loads side's pane at path (raw; NULL = reload where it is), putting the
 * cursor on keep (raw name, NULL = first). Reports errors in the status
 * line; returns true on success. */
bool side_load(struct app *a, enum app_side side, const char *path, const char *keep);
/* Enters the directory under the cursor of side. */
void side_enter(struct app *a, enum app_side side);
/* Goes to the parent directory of side, with the cursor on where it came from. */
void side_up(struct app *a, enum app_side side);
/* Makes directory name in side's current directory; returns true on success. */
bool side_mkdir(struct app *a, enum app_side side, const char *name);
/* Removes entry e of side: a file or link, or a directory and everything
 * in it (links inside are removed, never followed); stops at the first
 * failure, reported in the status line. True on success. */
bool side_remove(struct app *a, enum app_side side, const struct pane_entry *e);
/* True when entry e of side is a directory itself, not a link to one. */
bool side_is_tree(struct app *a, enum app_side side, const struct pane_entry *e);
/* Renames from to to in side's current directory; true on success. */
bool side_rename(struct app *a, enum app_side side, const char *from, const char *to);
/* Connects the browser to a->login; starts the worker; loads the remote pane. */
bool side_connect(struct app *a);

/* Runs the action bound to key (keys.c); unknown keys are ignored. */
void keys_dispatch(struct app *a, int key);

#endif
