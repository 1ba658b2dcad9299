/* ftp: the client engine. One struct ftp per control connection; both
 * front ends (TUI and command line) reach servers only through these calls,
 * so both send the same wire commands.
 *
 * Blocking I/O with timeouts: every call returns when it is done, failed,
 * or waited longer than the timeout for the server. Nothing here prints:
 * every call returns a status and leaves a one-line message in
 * ftp_message(), already sanitised, like "550 /x: No such file or
 * directory." Server text and remote names reach callers only sanitised
 * (entries keep the raw name beside it for use in later commands).
 *
 * The engine speaks to servers as they are: EPSV falling back to PASV (and
 * ignoring a PASV address that is not the server's, as behind NAT), MLSD
 * when FEAT offers it and LIST parsed from Unix and DOS forms otherwise.
 * A control connection found dead is reopened on the next call, logged in
 * again and put back in the same directory, and the call is tried once more.
 *
 * FTPS (RFC 4217): with ftp_set_tls, explicit TLS (AUTH TLS, when FEAT
 * offers it or always) or implicit TLS (ftps://), the server certificate
 * checked against the CA store and the host name, or a pinned
 * fingerprint, or the trust-on-first-use store (knowncerts.h), with the
 * front end asked (ftp_set_cert_prompt) about a certificate that does not
 * verify. Under TLS every data connection is protected (PBSZ 0, PROT P),
 * resumes the control connection's TLS session, and must end with
 * close_notify. A new handle speaks plain FTP. OpenSSL writes to sockets
 * with write(2): a program using TLS must ignore SIGPIPE. */
#ifndef FERRY_FTP_H
#define FERRY_FTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "knowncerts.h"
#include "listparse.h"
#include "tlsclient.h"

/* What a call came to. */
enum ftp_status {
	FTP_S_OK = 0,     /* done */
	FTP_S_USAGE,      /* bad argument or call (a line break in a name, not connected); nothing sent */
	FTP_S_CONNECT,    /* could not connect: lookup, refused, timeout, turned away at the greeting */
	FTP_S_LOGIN,      /* the server refused the user name or password */
	FTP_S_REFUSED,    /* the server refused a command (a 4xx or 5xx reply) */
	FTP_S_LOCAL,      /* a local file could not be read or written */
	FTP_S_BROKEN,     /* the control or data connection broke off or timed out */
	FTP_S_CANCELLED,  /* the progress callback asked to stop; the connection is still usable */
	FTP_S_TLS,        /* TLS could not be used as asked: not offered, handshake failed,
	                   * certificate not trusted; nothing was sent in the clear after it */
};

/* Features learnt from FEAT (RFC 2389), as bits for ftp_features(). */
enum ftp_feature {
	FTP_FEAT_MLST = 1 << 0,  /* MLST/MLSD listings */
	FTP_FEAT_SIZE = 1 << 1,  /* SIZE */
	FTP_FEAT_MDTM = 1 << 2,  /* MDTM */
	FTP_FEAT_REST = 1 << 3,  /* REST STREAM */
	FTP_FEAT_UTF8 = 1 << 4,  /* UTF8 (then OPTS UTF8 ON is sent) */
	FTP_FEAT_EPSV = 1 << 5,  /* EPSV listed (it is tried either way) */
	FTP_FEAT_MFMT = 1 << 6,  /* MFMT: setting a file's modification time */
	FTP_FEAT_HASH = 1 << 7,  /* HASH: a file's digest computed by the server */
};

/* How ftp_put writes the remote file. */
enum ftp_put_mode {
	FTP_PUT_REPLACE,  /* STOR: the remote file becomes the local file */
	FTP_PUT_RESUME,   /* REST offset, then STOR: the local file from offset, written at offset */
	FTP_PUT_APPEND,   /* APPE: the local file from offset, added at the remote end */
};

/* Progress of a transfer: done counts the resume offset, total is -1 when
 * unknown, rate is bytes per second so far. Called at the start, about
 * every FTP_PROGRESS_MS (also while the transfer stalls) and at the end.
 * Returning non-zero cancels: the engine sends ABOR and returns
 * FTP_S_CANCELLED with the connection still usable. */
typedef int ftp_progress_fn(void *arg, off_t done, off_t total, double rate);

/* What a trace line reports. */
enum ftp_trace_kind {
	FTP_TRACE_SENT,      /* a command sent (PASS shown as "PASS ****") */
	FTP_TRACE_RECEIVED,  /* a reply line received */
	FTP_TRACE_INFO,      /* the engine's own note: state changes, fallbacks, reconnects */
};
/* Receives the protocol trace; text is sanitised and valid only during the call. */
typedef void ftp_trace_fn(void *arg, enum ftp_trace_kind kind, const char *text);

/* How important a notice is. */
enum ftp_notice_kind {
	FTP_NOTICE_NOTE,     /* worth a line (the server offers no TLS: plain FTP) */
	FTP_NOTICE_WARNING,  /* always shown (--insecure, a trust store not written) */
};
/* Receives what the user should read even without a trace: one sanitised
 * line, valid only during the call. */
typedef void ftp_notice_fn(void *arg, enum ftp_notice_kind kind, const char *text);

/* The user's answer about a server certificate that did not verify. */
enum ftp_cert_answer {
	FTP_CERT_REJECT,        /* do not connect (FTP_S_TLS) */
	FTP_CERT_ACCEPT_ONCE,   /* go on; asked again by the next handle */
	FTP_CERT_ACCEPT_ALWAYS, /* go on, and keep its fingerprint in known_certs */
};
/* Asks the user about cert, shown by hostport ("host:port") and not
 * verified for cert->reason; the text of tlsc_cert_describe suits a
 * prompt. Called before anything is sent over the connection. */
typedef enum ftp_cert_answer ftp_cert_fn(void *arg, const char *hostport,
					 const struct tlsc_cert *cert);

/* What the engine knows about TLS on the current (or last) connection. */
struct ftp_tls_info {
	bool on;                        /* the control connection speaks TLS */
	char server[KNOWNCERTS_KEY_SIZE]; /* "host:port" ("[v6]:port") the certificate is from */
	char version[96];               /* "TLSv1.3 TLS_AES_256_GCM_SHA384" ("" when plain) */
	bool have_cert;                 /* cert describes the server's certificate */
	struct tlsc_cert cert;          /* the server's certificate */
	enum tlsc_trust trust;          /* the decision about it */
	char stored[FP_TEXT_SIZE];      /* TLSC_TRUST_CHANGED: the fingerprint the store holds */
	char store[TLSC_PATH_MAX];      /* the trust store's path, "" when it was not needed */
};

/* Milliseconds between progress calls. */
#define FTP_PROGRESS_MS 100
/* Default wait for the server, in milliseconds. */
#define FTP_DEFAULT_TIMEOUT_MS 30000
/* The first wait before a retry, in milliseconds; it doubles each time. */
#define FTP_RETRY_DELAY_MS 1000
/* The longest wait before a retry, in milliseconds. */
#define FTP_RETRY_DELAY_MAX_MS 60000
/* Default FTP port. */
#define FTP_DEFAULT_PORT 21
/* Longest line of a walk's or a copy's failure message, in bytes: a
 * longer one (a long path in it) loses the middle of its text, not the
 * reason at its end. */
#define FTP_MSG_LINE_MAX 1000

struct ftp;

/* Returns a new, unconnected handle (never NULL); free with ftp_free. */
struct ftp *ftp_new(void);
/* Closes the connections (without QUIT) and frees f and everything it owns; NULL is allowed. */
void ftp_free(struct ftp *f);
/* Sets how long any wait for the server may take, in milliseconds (> 0). */
void ftp_set_timeout(struct ftp *f, int ms);
/* Sets whether each 0xFF byte of a command's argument is sent doubled,
 * as the Telnet rules of RFC 854 and RFC 959 say (the default), or as it
 * is, for servers that read it literally (vsftpd, pure-ftpd, pyftpdlib). */
void ftp_set_telnet_iac(struct ftp *f, bool on);
/* Sets active mode: data connections are opened by the server to a port
 * the client listens on (EPRT, or PORT when EPRT is refused), for servers
 * whose passive ports a firewall blocks. Off (passive) by default. */
void ftp_set_active(struct ftp *f, bool on);
/* Sets how many times a failed connect (also a reconnect) and a broken
 * transfer are tried again, waiting 1 s, 2 s, 4 s ... (at most
 * FTP_RETRY_DELAY_MAX_MS) in between; a broken download goes on from
 * where it stopped (REST). 0 (the default): no retries. */
void ftp_set_retry(struct ftp *f, int retries);
/* Sets the most bytes per second a file transfer moves (0: no limit, the
 * default); listings are not slowed. */
void ftp_set_rate_limit(struct ftp *f, off_t bytes_per_sec);
/* Sets the fewest bytes per second a transfer (a listing too) must move
 * on average over each span of the timeout: one slower is broken off as
 * timed out (FTP_S_BROKEN), however steadily its bytes come. 0 (the
 * default): no such bound, only the timeout without any progress. */
void ftp_set_min_rate(struct ftp *f, off_t bytes_per_sec);
/* Sets a function asked while the engine waits for the server or before
 * a retry: at once when a signal breaks into the wait (the front end's
 * SIGINT handler, installed without SA_RESTART), else every
 * FTP_PROGRESS_MS. Returning true stops the waiting and the call ends
 * FTP_S_CANCELLED; a reply still owed closes the control connection (the
 * next call opens it again). NULL (the default): waits run to their end. */
void ftp_set_interrupt(struct ftp *f, bool (*fn)(void *arg), void *arg);
/* Sets a protocol trace receiver (NULL to stop); the engine never prints one itself. */
void ftp_set_trace(struct ftp *f, ftp_trace_fn *fn, void *arg);
/* Sets the receiver of notices (NULL: none are given). */
void ftp_set_notice(struct ftp *f, ftp_notice_fn *fn, void *arg);
/* Sets the TLS options (copied): o->mode says what ftp:// connections do
 * (auto, require, off), and the certificate checks. Used from the next
 * connection on. The default of a new handle: off. */
void ftp_set_tls(struct ftp *f, const struct tlsc_options *o);
/* Sets the scheme of the next connections: "ftp" (TLS as o->mode says),
 * "ftpes" (AUTH TLS required) or "ftps" (TLS from the first byte); any
 * case. False (nothing changed) for another. The default is "ftp". */
bool ftp_set_scheme(struct ftp *f, const char *scheme);
/* Sets who is asked about a server certificate that does not verify and
 * is not known (NULL, the default: nobody, and the connection fails with
 * FTP_S_TLS and the reason in the message). */
void ftp_set_cert_prompt(struct ftp *f, ftp_cert_fn *fn, void *arg);
/* Trusts the certificate with fingerprint at server ("host:port" as
 * ftp_tls_info's server gives it) on f's next connections as though the
 * user had accepted it once on f: one that would be asked about goes on
 * without the question. Front ends whose connections live in several
 * handles (the TUI's processes) hand an answer on this way. A stored
 * fingerprint that differs still fails (TLSC_TRUST_CHANGED). */
void ftp_trust_once(struct ftp *f, const char *server, const char *fingerprint);
/* TLS on the current connection, or on the last one tried (its
 * certificate, and the decision about it, also after an FTP_S_TLS);
 * owned by f. */
const struct ftp_tls_info *ftp_tls_info(const struct ftp *f);

/* Connects to host (name, IPv4, or IPv6 with or without brackets) on port
 * (0 = the scheme's: 21, or 990 for ftps), trying each address the name
 * has within the timeout, then logs in: TLS as the scheme and the TLS
 * options say (FEAT and AUTH TLS before the login, PBSZ 0 and PROT P
 * after it), USER/PASS (user NULL = anonymous), FEAT, OPTS UTF8 ON when
 * offered, TYPE I, PWD. Remembers all of it to reconnect later. user and
 * pass are copied; a connection already open is closed first. The name
 * lookup and the connects together take at most the timeout. */
enum ftp_status ftp_connect(struct ftp *f, const char *host, int port,
			    const char *user, const char *pass);
/* Logs in like ftp_connect over fd, an already connected stream socket,
 * which f takes over (closed by ftp_free even on failure), in plain FTP.
 * Data connections go to data_host (a numeric address), or to fd's peer
 * when data_host is NULL. Such a connection is not reopened when it drops. */
enum ftp_status ftp_connect_fd(struct ftp *f, int fd, const char *data_host,
			       const char *user, const char *pass);
/* Sends QUIT, reads the goodbye and closes; f may connect again later. */
enum ftp_status ftp_quit(struct ftp *f);
/* True while the control connection is open. */
bool ftp_connected(const struct ftp *f);

/* The message of the last call (sanitised, one line; "" before any); owned by f. */
const char *ftp_message(const struct ftp *f);
/* The code of the last reply read (0 if none, e.g. after a local error). */
int ftp_reply_code(const struct ftp *f);
/* True when that reply refused a command line long enough that a server
 * may have cut it (see ftp_read_reply): a 500 then says the line was too
 * long, not that the server does not know the command. */
bool ftp_refused_long(const struct ftp *f);
/* The server's greeting, sanitised, lines joined by '\n' ("" before login); owned by f. */
const char *ftp_welcome(const struct ftp *f);
/* The FTP_FEAT_* bits the server listed in FEAT. */
unsigned ftp_features(const struct ftp *f);
/* A short name for a status ("ok", "refused", ...); static. */
const char *ftp_status_name(enum ftp_status s);
/* Why the last call ended with st: its message (ftp_message), or st's
 * name (ftp_status_name) when it left none. */
const char *ftp_message_or_status(const struct ftp *f, enum ftp_status st);
/* The status of an upload of local as remote (a file, or a directory
 * made for one) that the engine's calls ended with st: a remote name
 * refused (FTP_S_USAGE) for a line break, which no FTP command can
 * carry, where the line break came from the local name (remote ends
 * with local's last parts, from the one holding it), is a local name
 * in the way: FTP_S_LOCAL, a failure of that one name. Any other
 * status, and a line break in a part of remote named otherwise (typed
 * by the user: a usage error), as it is. */
enum ftp_status ftp_upload_status(enum ftp_status st, const char *local, const char *remote);

/* The current remote directory exactly as the server named it, for
 * building paths to send back ("" if unknown); owned by f. */
const char *ftp_dir(const struct ftp *f);
/* The current remote directory sanitised for display ("" if unknown); owned by f. */
const char *ftp_dir_display(const struct ftp *f);
/* Sends PWD and updates ftp_dir(). */
enum ftp_status ftp_pwd(struct ftp *f);
/* Changes directory (CWD path), then learns the new one with PWD. */
enum ftp_status ftp_cwd(struct ftp *f, const char *path);
/* Goes to the parent directory (CDUP), then PWD. */
enum ftp_status ftp_cdup(struct ftp *f);
/* MKD path. */
enum ftp_status ftp_mkdir(struct ftp *f, const char *path);
/* RMD path. */
enum ftp_status ftp_rmdir(struct ftp *f, const char *path);
/* DELE path. */
enum ftp_status ftp_delete(struct ftp *f, const char *path);
/* RNFR from, then RNTO to. */
enum ftp_status ftp_rename(struct ftp *f, const char *from, const char *to);
/* SIZE path: sets *size in bytes. */
enum ftp_status ftp_size(struct ftp *f, const char *path, off_t *size);
/* Longest algorithm name and digest (hex, lower case) ftp_hash returns, with the NUL. */
#define FTP_HASH_ALG_MAX 16
#define FTP_HASH_HEX_MAX 129
/* HASH path (draft-bryan-ftpext-hash) in the server's current algorithm:
 * sets alg ("SHA-256") and hex (lower case). FTP_S_REFUSED, nothing
 * sent, when FEAT does not list HASH; FTP_S_REFUSED too for a reply
 * that is not a digest. */
enum ftp_status ftp_hash(struct ftp *f, const char *path, char alg[FTP_HASH_ALG_MAX],
			 char hex[FTP_HASH_HEX_MAX]);
/* MDTM path: sets *mtime (UTC seconds). */
enum ftp_status ftp_mdtm(struct ftp *f, const char *path, time_t *mtime);
/* What the server knows of one file or directory: MLST when FEAT offers
 * it, else SIZE (and MDTM), which finds files only. Fills out (free with
 * listparse_entry_free), named path as given; FTP_S_REFUSED when the
 * server has nothing of that name (or will not say). */
enum ftp_status ftp_stat(struct ftp *f, const char *path, struct ftp_entry *out);
/* The modification time to give a copy of remote: known when it is not
 * 0 (an exact time from an MLSD listing), else MDTM's when FEAT offers
 * it. Sets *mtime (UTC seconds); FTP_S_REFUSED with the message saying so
 * when the server does not tell. */
enum ftp_status ftp_file_time(struct ftp *f, const char *remote, time_t known, time_t *mtime);
/* Sets remote's modification time to mtime with MFMT (when FEAT offers
 * it: otherwise FTP_S_REFUSED, nothing sent, and the message says so). */
enum ftp_status ftp_set_mtime(struct ftp *f, const char *remote, time_t mtime);
/* Told what became of an MFMT sent with ftp_set_mtime_later: st is what
 * ftp_set_mtime would have returned, and during the call ftp_message()
 * and ftp_reply_code() describe it; remote is the name it was given.
 * Called from inside a later engine call: it must not call the engine. */
typedef void ftp_later_fn(void *arg, const char *remote, enum ftp_status st);
/* ftp_set_mtime without waiting for the server: the MFMT goes out in the
 * same write as the next command (an upload's ALLO and EPSV, say), and
 * its reply, read before that command's, goes to done (may be NULL).
 * Returns FTP_S_OK when it is queued; what ftp_set_mtime returns without
 * sending anything (no MFMT in FEAT, a bad name), done not called. A
 * connection lost before the reply tells done FTP_S_BROKEN. ftp_settle,
 * ftp_quit and every other call send what waits. */
enum ftp_status ftp_set_mtime_later(struct ftp *f, const char *remote, time_t mtime,
				    ftp_later_fn *done, void *arg);
/* Sends the commands ftp_set_mtime_later left waiting and reads their
 * replies (calling their callbacks); FTP_S_OK when none were waiting or
 * the connection held, else the failure. */
enum ftp_status ftp_settle(struct ftp *f);
/* Sets the transfer type: ASCII (TYPE A: line ends converted, CR LF on
 * the wire and LF on disk, no resuming) or binary (TYPE I, the default,
 * bytes as they are). Kept across reconnects. */
enum ftp_status ftp_set_type(struct ftp *f, bool ascii);
/* True in the ASCII type. */
bool ftp_ascii(const struct ftp *f);
/* SITE CHMOD mode path (mode at most 07777). */
enum ftp_status ftp_chmod(struct ftp *f, const char *path, unsigned mode);
/* Sends line as a command of its own ("SITE HELP", "STAT") and reads its
 * reply: FTP_S_OK for 1xx to 3xx, FTP_S_REFUSED for 4xx and 5xx. Only for
 * commands without a data connection: one that opens one waits for it in
 * vain. ftp_reply_lines shows the whole reply. */
enum ftp_status ftp_quote(struct ftp *f, const char *line);
/* The last reply in full, "CODE text" and its other lines after '\n',
 * each sanitised ("" when no reply was read); owned by f until the next call. */
const char *ftp_reply_lines(struct ftp *f);
/* NOOP: keeps an idle connection open (and reopens a dropped one). */
enum ftp_status ftp_noop(struct ftp *f);

/* Lists path (NULL or "" = the current directory) into out, which the
 * caller initialises with listparse_init and frees with listparse_free;
 * entries are appended. MLSD when offered, else LIST; a path MLSD
 * refuses that MLST finds (a file) is listed as that one entry; when the
 * server answers MLSD for this directory with a 4xx reply (as ferryd's 451
 * for a name with a line break), LIST is tried for it, and the message
 * then starts "MLSD failed (...)". LIST goes as "LIST -a" to a server
 * that says UNIX to SYST and lists a directory's "." for it, so names
 * starting with '.' are listed there too. */
enum ftp_status ftp_list(struct ftp *f, const char *path, struct ftp_listing *out);
/* True when the last ftp_list got its entries from LIST because MLSD was
 * refused for that directory. */
bool ftp_list_fell_back(const struct ftp *f);
/* True when the last ftp_list got its entries from LIST (which some
 * servers answer for a name they do not have with an empty listing). */
bool ftp_list_by_list(const struct ftp *f);
/* Downloads remote into fd (a file or pipe open for writing). offset > 0
 * resumes: REST offset is sent and, when fd is a regular file, writing
 * starts at offset in it. progress may be NULL. In binary, a transfer
 * that ends short of the file's size (SIZE, sent when progress is set, or
 * the size a listing gave) is FTP_S_BROKEN even after a 2xx reply. */
enum ftp_status ftp_get(struct ftp *f, const char *remote, int fd, off_t offset,
			ftp_progress_fn *progress, void *arg);
/* ftp_get for a file whose size a listing gave (size >= 0): no SIZE
 * command is sent for the progress; size -1 asks, as ftp_get does. */
enum ftp_status ftp_get_sized(struct ftp *f, const char *remote, int fd, off_t offset,
			      off_t size, ftp_progress_fn *progress, void *arg);
/* Downloads length bytes of remote from offset into fd (written from
 * offset when fd is a regular file), as ftp_get does, then stops the
 * transfer (ABOR) when the server has more: one segment of a file
 * fetched over several connections. length -1: to the end. A transfer
 * that ends before offset + length (even with a 2xx reply) is
 * FTP_S_BROKEN, the bytes that came written. */
enum ftp_status ftp_get_range(struct ftp *f, const char *remote, int fd, off_t offset,
			      off_t length, ftp_progress_fn *progress, void *arg);
/* Uploads fd (open for reading) as remote. For FTP_PUT_RESUME and
 * FTP_PUT_APPEND, reading starts at offset when fd is a regular file
 * (other fds are read from where they are); FTP_PUT_REPLACE takes offset
 * 0 and reads fd from where it is. Reading a pipe is not interrupted by
 * the timeout or a cancel. progress may be NULL. */
enum ftp_status ftp_put(struct ftp *f, int fd, const char *remote, enum ftp_put_mode mode,
			off_t offset, ftp_progress_fn *progress, void *arg);

#endif
