/* app: the TUI's state shared by its parts: event loop (app.c), actions
 * (actions.c), directory sides (side.c), key table (keys.c), drawing
 * (draw.c) and dialogs (dialog.c). No curses types here: only draw.c,
 * dialog.c and app.c talk to the terminal. */
#ifndef FERRY_TUI_APP_H
#define FERRY_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>
#include <time.h>

#include "ftp.h"
#include "pane.h"
#include "plan.h"
#include "settings.h"
#include "queue.h"
#include "wire.h"
#include "worker.h"

/* Longest status message, in bytes. */
#define APP_STATUS_MAX 512
/* Longest host, user or password kept, in bytes. */
#define APP_FIELD_MAX 256
/* Finished transfers kept on show in the panel. */
#define APP_KEEP_FINISHED 20
/* Renames and mkdirs that may await their answers at once. */
#define APP_REQUESTS_MAX 16
/* How long a listing is awaited before its pane says "loading" (and Esc
 * cancels it rather than the filter), in ms: a quick one never flickers. */
#define APP_LOADING_SHOW_MS 200
/* Transfer workers: one per copy that may run at once. */
#define APP_XFER_MAX QUEUE_PARALLEL_MAX
/* Copies run at once unless the user says otherwise (P). */
#define APP_PARALLEL_DEFAULT 2
/* Transfer workers let go (a new connection) that may be winding down at once. */
#define APP_DETACHED_MAX (2 * APP_XFER_MAX)
/* Certificate questions from workers that may wait to be asked at once. */
#define APP_QUESTIONS_MAX 4
/* Longest scheme name kept ("ftpes"), NUL included. */
#define APP_SCHEME_MAX 8

struct viewedit;
struct trace;

/* Which pane is which. */
enum app_side {
	APP_LOCAL = 0,   /* left: this machine's files */
	APP_REMOTE = 1,  /* right: the server's files */
	APP_SIDES = 2,
};

/* What a status message is about: a message goes stale, and is cleared,
 * when its subject changes (a connection that works again, a queue that
 * has finished). */
enum app_topic {
	APP_TOPIC_NONE,     /* an answer to a key: stays until the next message */
	APP_TOPIC_QUEUE,    /* the queue ("3 transfer(s) queued") */
	APP_TOPIC_CONNECT,  /* the connection ("could not connect", "connection lost") */
};

/* What the mouse did last. */
enum app_mouse_kind { APP_MOUSE_NONE, APP_MOUSE_PRESS, APP_MOUSE_WHEEL_UP, APP_MOUSE_WHEEL_DOWN };

/* The last mouse event, and the click before it (for double clicks). */
struct app_mouse {
	enum app_mouse_kind kind;   /* what happened */
	int y, x;                   /* where, in screen cells */
	int last_y, last_x;         /* the click before */
	long long last_ms;          /* ...when (sysio_now_ms), 0 none */
};

/* Where a connection points, and how. */
struct app_login {
	char host[APP_FIELD_MAX];  /* host, "" when none */
	int port;                  /* port */
	char user[APP_FIELD_MAX];  /* user, "" = anonymous */
	char pass[APP_FIELD_MAX];  /* password, "" when none */
	char scheme[APP_SCHEME_MAX]; /* "ftp", "ftps" (implicit TLS) or "ftpes" (TLS required) */
	enum tlsc_mode tls;        /* what ftp:// does about TLS: auto, require, off */
	char cert_server[KNOWNCERTS_KEY_SIZE]; /* a certificate the user accepted for this
					      * connection: its server ("host:port") ... */
	char cert_fp[FP_TEXT_SIZE]; /* ...and fingerprint, "" when none; every worker trusts it */
	char note[APP_STATUS_MAX]; /* what the user should read about the connection (the
				    * engine's notices, a ~/.netrc others can read), "" when none */
};

/* A worker's question about a server certificate, waiting to be asked. */
struct app_question {
	pid_t pid;                 /* the worker that asks (it waits for the answer); 0: free */
	uint32_t id;               /* the question's id, for the answer */
	struct ftp_tls_info tls;   /* the server and its certificate */
};

/* One entry of a listing on its way into a pane. */
struct app_staged {
	char *name;                 /* raw name */
	char *target;               /* a link's target (sanitised), or NULL */
	enum ftp_entry_type type;   /* what it is */
	off_t size;                 /* bytes, -1 unknown */
	time_t mtime;               /* date, 0 unknown */
	bool link, broken;          /* a link, one that leads nowhere */
};

/* The listing a pane waits for. */
struct app_load {
	unsigned req;               /* its request id; 0 when the pane waits for none */
	long long since;            /* when it was asked for (sysio_now_ms) */
	bool reload;                /* the same directory again: the filter stays */
	bool elsewhere;             /* what the pane shows goes: another folder, a find's
				     * matches, or the folder a find's matches were in */
	char *keep;                 /* the entry to put the cursor on; NULL: where it is (a
				     * reload) or the first (a new directory) */
	struct app_staged *v;       /* entries received so far */
	size_t n, cap;              /* in v; slots */
	char *find;                 /* a find's pattern (its matches come as entries), or NULL */
	bool scan;                  /* the whole tree for a synchronize, not for the pane */
	char *up;                   /* going up (Backspace, ".."): the folder asked for, or NULL */
};

/* A rename or mkdir awaiting its answer. */
struct app_request {
	unsigned id;                /* request id; 0 = free slot */
	enum app_side side;         /* the pane */
	enum wire_type type;        /* WIRE_RENAME, WIRE_MKDIR or WIRE_INFO */
	char *from;                 /* a rename's old name, the directory made, the path asked about */
	char *to;                   /* a rename's new name */
	bool move;                  /* a rename of app.move: its answer is counted there */
};

/* Tagged entries moved into a folder (F6), their renames sent a few at a
 * time; n is 0 when none is going on. */
struct app_move {
	enum app_side side;         /* the pane */
	char **from, **to;          /* each entry's path and its path in the folder */
	size_t n, sent, answered;   /* entries; renames sent; answers come */
	size_t failed;              /* ...refused (or not sent) */
	char why[APP_STATUS_MAX];   /* the first refusal's reason */
	char *dest;                 /* the folder (sanitised) */
};

/* A rename refused because the new name exists, to be asked about. */
struct app_replace {
	bool pending;               /* a question waits */
	enum app_side side;         /* the pane */
	char *from, *to;            /* names (raw) */
	off_t size;                 /* the existing target's size, -1 unknown */
	time_t mtime;               /* ...and date, 0 unknown */
};

/* A synchronize reading its two trees (Ctrl-X s). */
struct app_syncplan {
	unsigned reading;           /* sides still being read, a bit each (1 << side) */
	bool ready;                 /* both read: the dialog waits to be shown */
	enum app_side from;         /* the side the other is made to match */
	struct plan_tree t[APP_SIDES]; /* each side's tree, paths below its pane's folder */
};

/* The whole TUI state. */
struct app {
	struct pane *pane[APP_SIDES];  /* the two panes */
	enum app_side active;          /* pane with the cursor */
	struct ftp_settings settings;  /* the command line's settings, for every connection */
	struct app_login login;        /* where the remote pane is connected */
	bool connected;                /* the remote browser is logged in */
	struct ftp_tls_info tls;       /* ...TLS on that connection (the top line, the `i` key) */
	struct app_login trying;       /* a connection being opened (F2 or the URL) */
	struct ftp_tls_info trying_tls; /* ...TLS on it, as its browser reported */
	struct app_question questions[APP_QUESTIONS_MAX]; /* certificate questions to ask */
	bool alarm;                    /* a refused certificate (changed, not the pinned one)
					* to show in a box: alarm_msg and alarm_tls */
	char alarm_msg[APP_STATUS_MAX]; /* ...why the connection was refused */
	struct ftp_tls_info alarm_tls; /* ...and the certificate */
	struct worker opening;         /* ...its browser, logging in; pid -1 when none */
	char *open_path;               /* ...the directory to show once in, or NULL (its home) */
	struct worker browse[APP_SIDES]; /* each pane's browser: listings, renames, deletes */
	struct worker xfer[APP_XFER_MAX]; /* the transfer processes, one per slot of the copy
					   * lane: slot 0 is started at login, the others when
					   * a copy first runs in them */
	bool xfer_idle_due[APP_XFER_MAX]; /* a job of that slot ended: its worker is told
					   * when no other follows (worker_idle) */
	pid_t detached[APP_DETACHED_MAX];        /* transfer processes let go, still to reap */
	long long detached_until[APP_DETACHED_MAX]; /* ...when each is killed if still there */
	struct app_load load[APP_SIDES]; /* the listing each pane waits for */
	char *find[APP_SIDES];         /* the pattern whose matches a pane shows, or NULL */
	long long avail[APP_SIDES];    /* free bytes where each pane's folder is, -1 unknown */
	bool sync;                     /* synchronized browsing: entering or leaving a folder
					* does the same on the other side */
	struct app_request req[APP_REQUESTS_MAX]; /* renames and mkdirs awaiting answers */
	struct app_replace replace;    /* a rename to ask about */
	struct app_move move;          /* tagged entries being moved into a folder */
	struct app_syncplan syncplan;  /* a synchronize's trees */
	char *info;                    /* an entry's facts to show (file info), or NULL */
	struct viewedit *ve;           /* a remote file being viewed or edited (viewedit.c), or NULL */
	char *info_name;               /* ...its path */
	unsigned next_req;             /* id of the next request (never 0) */
	struct queue *queue;           /* the transfers and deletes */
	unsigned xfer_sel;             /* id of the job selected in the panel, 0 when none */
	bool xfer_follow;              /* the selection follows the running job */
	bool xfer_big;                 /* the transfer panel is enlarged */
	char status[APP_STATUS_MAX];   /* status line text (sanitised) */
	char status_short[APP_STATUS_MAX]; /* ...said shorter for a narrow line, '\n' between
					    * the forms, or "" */
	bool status_error;             /* the status line shows an error */
	enum app_topic status_topic;   /* what it is about */
	unsigned status_job;           /* the job a "cancelling" message waits on, 0 none:
					* its end replaces the message */
	bool queue_was_busy;           /* jobs were queued or running at the last look */
	bool refresh_due[APP_SIDES];   /* a job ended: reload this pane */
	long long refresh_at[APP_SIDES]; /* no reload for ending jobs before this, while
					  * jobs run (ms, monotonic; side_listed sets it) */
	bool colors;                   /* colours in use */
	bool quit;                     /* leave the loop */
	bool asking;                   /* asking about held transfers (not again inside) */
	size_t pane_height;            /* rows of entries drawn at the last draw */
	void (*overlay)(struct app *a, const void *arg); /* draws an open dialog over the screen, or NULL */
	const void *overlay_arg;       /* what the overlay draws */
	struct wire_msg msg;           /* the worker's message being handled */
	struct app_mouse mouse;        /* the last mouse event (mouse.c) */
	struct trace *trace;           /* the protocol trace of the session (L) */
};

/* Sets the status line (printf-style; the text is sanitised). */
void app_status(struct app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* app_status for a message about topic (see enum app_topic). */
void app_status_about(struct app *a, enum app_topic topic, bool error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Gives the status line's message shorter forms (printf-style, one a
 * line, the longest first; sanitised), the first that fits shown where
 * the whole message does not; the next message drops them. */
void app_status_short(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The length of text without its closing punctuation and blanks (".",
 * "!", ";", ":", ","), for joining it with more: "%.*s; going up". */
int app_clause_len(const char *text);
/* Says on the status line that there is no connection and that F2 opens
 * one (an error when an action needed it), in fewer words on a narrow
 * line. */
void app_status_offline(struct app *a, bool error);
/* Clears the status line if its message is about topic. */
void app_status_clear(struct app *a, enum app_topic topic);
/* Waits for a key while keeping workers heard and the screen drawn;
 * returns the key code (keys.h). */
int app_wait_key(struct app *a);
/* Draws everything now. */
void app_redraw(struct app *a);
/* Starts queued jobs on the workers that are free. */
void app_pump(struct app *a);
/* Asks the workers to stop the jobs marked stopping. */
void app_stop_marked(struct app *a);
/* Lets the transfer workers go without waiting for them (each stops its
 * job, removes its temporary file and exits; they are reaped later). */
void app_let_go_transfers(struct app *a);

/* ---- side.c: the panes' sides, through their browsers ---- */

/* Starts the local pane's browser; false (status set) if it cannot. */
bool side_start_local(struct app *a);
/* Asks side's browser for the listing of path (raw; NULL = reload where
 * it is, keeping the filter), putting the cursor on keep (raw name; NULL
 * = where it is for a reload, the first row for a new directory) when it
 * arrives; the pane shows "loading" until then, and an earlier listing it
 * waited for is dropped. False (status set) when it cannot be asked. */
bool side_load(struct app *a, enum app_side side, const char *path, const char *keep);
/* Asks side's browser for the names matching pattern below the pane's
 * folder; they replace the pane's entries (named by their path below it)
 * when the find ends, and Esc cancels it as it cancels a listing. */
bool side_find(struct app *a, enum app_side side, const char *pattern);
/* Asks side's browser for the whole tree below the pane's folder for a
 * synchronize; it goes to actions_sync_read, not to the pane, and Esc
 * cancels it. */
bool side_scan(struct app *a, enum app_side side);
/* Drops a synchronize's trees (and the readings still awaited), saying
 * why on the status line when why is not NULL. */
void side_scan_drop(struct app *a, const char *why);
/* True while side's pane waits for a listing. */
bool side_loading(const struct app *a, enum app_side side);
/* True while side's pane waits for the listing of another folder (or a
 * find's matches): what it shows is about to go. A reload, or a listing
 * of the folder shown, is not this. */
bool side_opening(const struct app *a, enum app_side side);
/* Milliseconds until side's pane says "loading" (0: it does now), or -1
 * when it waits for no listing. */
long long side_loading_in(const struct app *a, enum app_side side);
/* Enters the directory under the cursor of side. */
void side_enter(struct app *a, enum app_side side);
/* Goes to the parent directory of side, with the cursor on where it came from. */
void side_up(struct app *a, enum app_side side);
/* Asks for directory name in side's current directory. */
void side_mkdir(struct app *a, enum app_side side, const char *name);
/* Asks to rename from to to in side's current directory; replace says
 * replacing an existing to was agreed (else the browser refuses and the
 * question is asked). */
void side_rename(struct app *a, enum app_side side, const char *from, const char *to,
		 bool replace);
/* Moves the entries names (raw, below side's folder) into the folder dest
 * (a full path on that side): a rename each, never replacing a name that
 * is there; the status line says how many moved when all are answered.
 * False (status set) when a move is still going on. */
bool side_move(struct app *a, enum app_side side, const char *const *names, size_t n,
	       const char *dest);
/* Queues the deletion of name (a directory with everything in it when
 * tree) in side's current directory; false (status set) if the path is too long. */
bool side_delete(struct app *a, enum app_side side, const char *name, bool tree);
/* Opens a connection to a->trying in the background (path: the directory
 * to show, or NULL); the working one, if any, stays until it succeeds. */
void side_connect(struct app *a, const char *path);
/* Esc: cancels a connection being opened, else the active pane's
 * listing; false when neither was pending. */
bool side_cancel(struct app *a);
/* Takes one message of side's browser (or of the connection being
 * opened, opening) that is no queue report: entries and answers. */
void side_answer(struct app *a, enum app_side side, bool opening, const struct wire_msg *m);
/* side's browser ended: the renames, mkdirs and questions it had not
 * answered fail (a move's go on to the next browser, if one is started). */
void side_browser_gone(struct app *a, enum app_side side);
/* Replaces side's browser, stuck waiting for the server: what it had not
 * answered fails as side_browser_gone says, a listing awaited is dropped,
 * and a new browser logs in. False (status set) if it cannot start. */
bool side_replace_browser(struct app *a, enum app_side side);
/* Asks side's browser what it knows of name in its current directory;
 * the answer waits in a->info to be shown. */
void side_info(struct app *a, enum app_side side, const char *name);
/* Starts the transfer worker of slot for the working connection; false
 * (errno set) when it cannot. */
bool side_start_transfer(struct app *a, unsigned slot);
/* Starts job j (a delete) on its side's browser; false when it cannot. */
bool side_run_delete(struct app *a, const struct queue_job *j);
/* Stops every browser; frees what the loads and requests hold. */
void side_stop_all(struct app *a);

/* ---- security.c: TLS on the screen ---- */

/* A notice of a worker's engine (WIRE_NOTICE): kept with the connection
 * being opened (opening) to show with its outcome, else on the status
 * line unless the connection's note says it already. */
void security_notice(struct app *a, bool opening, const struct wire_msg *m);
/* TLS on the connection a browser opened (WIRE_TLS): for the connection
 * being opened (opening), else for the working one. */
void security_tls(struct app *a, bool opening, const struct wire_msg *m);
/* A worker (pid) asks about a certificate (WIRE_CERT): answered at once
 * when the user accepted it earlier for that connection, else kept to be
 * asked (security_ask_pending). */
void security_question(struct app *a, pid_t pid, const struct wire_msg *m);
/* Asks the certificate questions waiting and shows a refused
 * certificate's alarm; called when no dialog is open. */
void security_ask_pending(struct app *a);
/* The connection's security for the top line: true when TLS protects it
 * (out names the version and how the certificate is trusted), false for
 * plain FTP (out says so). */
bool security_title(const struct app *a, char *out, size_t outsz);
/* The `i` key: the connection's TLS version and the server's certificate
 * in a box, or what is not protected. */
void security_show(struct app *a);

/* Runs the action bound to key (keys.c); unknown keys are ignored. */
void keys_dispatch(struct app *a, int key);

#endif
