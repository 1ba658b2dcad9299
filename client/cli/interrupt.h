/* interrupt: Ctrl-C for the command line. The SIGINT handler only sets a
 * flag; transfers poll it from their progress callback (the engine then
 * sends ABOR), the prompt uses it to start a fresh line, and scripts stop
 * after the command it interrupted. A second Ctrl-C before the first was
 * taken ends ferry at once with "ferry: interrupted", removing the
 * temporary download file named by interrupt_guard_file first. */
#ifndef FERRY_INTERRUPT_H
#define FERRY_INTERRUPT_H

#include <stdbool.h>

/* Exit status after a second Ctrl-C (the "interrupted" status of ferry(1)). */
#define INTERRUPT_EXIT 1

/* Installs the SIGINT handler (without SA_RESTART, so a blocking read
 * returns EINTR). */
void interrupt_install(void);
/* True when Ctrl-C was pressed and not yet cleared. */
bool interrupt_pending(void);
/* Forgets a pending Ctrl-C. */
void interrupt_clear(void);
/* Names a file to remove if ferry is ended by a second Ctrl-C (NULL:
 * none); path is copied. */
void interrupt_guard_file(const char *path);

#endif
