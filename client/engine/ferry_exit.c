/* ferry_exit: engine statuses as exit statuses (see ferry_exit.h). */
#include "config.h"

#include "ferry_exit.h"

/* Engine statuses and the exit statuses they become. */
static const enum ferry_exit exit_from_status[] = {
	[FTP_S_OK] = FERRY_EXIT_OK,
	[FTP_S_USAGE] = FERRY_EXIT_USAGE,
	[FTP_S_CONNECT] = FERRY_EXIT_CONNECT,
	[FTP_S_LOGIN] = FERRY_EXIT_LOGIN,
	[FTP_S_REFUSED] = FERRY_EXIT_REFUSED,
	[FTP_S_LOCAL] = FERRY_EXIT_LOCAL,
	[FTP_S_BROKEN] = FERRY_EXIT_BROKEN,
	[FTP_S_CANCELLED] = FERRY_EXIT_DECLINED,
	[FTP_S_TLS] = FERRY_EXIT_TLS,
};

enum ferry_exit ferry_exit_from_status(enum ftp_status st)
{
	if ((unsigned)st < sizeof exit_from_status / sizeof exit_from_status[0])
		return exit_from_status[st];
	return FERRY_EXIT_BROKEN;
}
