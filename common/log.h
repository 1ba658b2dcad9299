/* log: one place where ferry's programs write log lines, to stderr or to
 * syslog. Text from the network must pass sanitize_* before it gets here. */
#ifndef FERRY_LOG_H
#define FERRY_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Where log lines go. */
enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG };

/* Sets the program name and target; verbose enables LOG_DEBUG lines. */
void log_init(const char *ident, enum log_target target, bool verbose);
/* Writes one line at a syslog level (LOG_ERR, LOG_INFO, LOG_DEBUG...). */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True if LOG_DEBUG lines are written (the protocol trace). */
bool log_verbose(void);

#endif
