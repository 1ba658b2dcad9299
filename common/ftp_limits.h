/* ftp_limits: hard limits and FTP reply codes, named once for both programs. */
#ifndef FERRY_FTP_LIMITS_H
#define FERRY_FTP_LIMITS_H

/* Longest command or reply line accepted, without the CRLF. */
#define FTP_LINE_MAX 4096
/* Longest virtual path handled. */
#define FTP_PATH_MAX 4096
/* Largest multi-line reply a client accepts, in bytes. */
#define FTP_REPLY_MAX (256 * 1024)
/* Most lines of a multi-line reply a client accepts. */
#define FTP_REPLY_LINES_MAX 10000
/* Largest directory listing built in memory, in bytes. */
#define FTP_LISTING_MAX (256u * 1024 * 1024)

/* Reply codes (RFC 959 section 4.2, RFC 2428, RFC 3659, RFC 2228). */
enum ftp_reply_code {
	FTP_DATA_OPEN_STARTING = 125,
	FTP_FILE_STATUS_OK = 150,
	FTP_OK = 200,
	FTP_NOT_IMPLEMENTED_SUPERFLUOUS = 202,
	FTP_SYSTEM_STATUS = 211,
	FTP_DIR_STATUS = 212,
	FTP_FILE_STATUS = 213,
	FTP_HELP = 214,
	FTP_SYSTEM_TYPE = 215,
	FTP_READY = 220,
	FTP_GOODBYE = 221,
	FTP_ABOR_NO_TRANSFER = 225,
	FTP_TRANSFER_OK = 226,
	FTP_PASV = 227,
	FTP_EPSV = 229,
	FTP_LOGGED_IN = 230,
	FTP_AUTH_OK = 234,
	FTP_FILE_ACTION_OK = 250,
	FTP_PATH_CREATED = 257,
	FTP_NEED_PASSWORD = 331,
	FTP_PENDING_MORE_INFO = 350,
	FTP_SERVICE_CLOSING = 421,
	FTP_CANT_OPEN_DATA = 425,
	FTP_TRANSFER_ABORTED = 426,
	FTP_FILE_BUSY = 450,
	FTP_LOCAL_ERROR = 451,
	FTP_NO_SPACE = 452,
	FTP_BAD_COMMAND = 500,
	FTP_BAD_ARGUMENTS = 501,
	FTP_NOT_IMPLEMENTED = 502,
	FTP_BAD_SEQUENCE = 503,
	FTP_BAD_PARAMETER = 504,
	FTP_PROT_REQUIRED = 521,       /* data protection required (PROT P) */
	FTP_BAD_PROTOCOL = 522,
	FTP_NOT_LOGGED_IN = 530,
	FTP_POLICY_DENIED = 534,       /* refused by policy (RFC 2228) */
	FTP_PROT_NOT_SUPPORTED = 536,  /* protection level not supported */
	FTP_FILE_UNAVAILABLE = 550,
	FTP_EXCEEDED_STORAGE = 552,
	FTP_BAD_FILENAME = 553,
	FTP_BAD_REST = 554,
};

#endif
