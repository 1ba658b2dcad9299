/* ferry_exit: the exit statuses of the ferry program, as ferry(1)
 * documents them, shared by both front ends, and the one table that turns
 * an engine status into one. Statuses 1 and 2 are also the front ends'
 * own: a question answered no or Ctrl-C, and a usage error they find. */
#ifndef FERRY_EXIT_H
#define FERRY_EXIT_H

#include "ftp.h"

/* Exit statuses. */
enum ferry_exit {
	FERRY_EXIT_OK = 0,        /* every command succeeded */
	FERRY_EXIT_DECLINED = 1,  /* a deletion or overwrite not confirmed, or Ctrl-C */
	FERRY_EXIT_USAGE = 2,     /* bad option, unknown command, wrong arguments, bad URL, not connected */
	FERRY_EXIT_CONNECT = 3,   /* could not connect */
	FERRY_EXIT_LOGIN = 4,     /* the server refused the login */
	FERRY_EXIT_REFUSED = 5,   /* the server refused a command */
	FERRY_EXIT_LOCAL = 6,     /* a local file could not be read or written (or the terminal used) */
	FERRY_EXIT_BROKEN = 7,    /* a transfer or the connection broke off, or a copy did
	                           * not verify (--verify) */
	FERRY_EXIT_TLS = 8,       /* TLS could not be used as asked (not offered, handshake
	                           * failed, certificate not trusted or rejected) */
};

/* The exit status for an engine status (FTP_S_CANCELLED is
 * FERRY_EXIT_DECLINED; an unknown status FERRY_EXIT_BROKEN). */
enum ferry_exit ferry_exit_from_status(enum ftp_status st);

#endif
