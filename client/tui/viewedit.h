/* viewedit: F3 (view) and F4 (edit) of the file under the cursor. A
 * local file is shown or edited where it is. A remote file is first
 * downloaded by the transfer worker (a job in the panel, cancellable)
 * into a private temporary folder; then it is shown (the user's $PAGER,
 * or the built-in viewer: viewer.h), or edited with $VISUAL or $EDITOR
 * (vi when neither is set) and, when the editor changed it, uploaded back
 * once the remote file is seen unchanged since it was opened (else the
 * user is asked whether to replace it). The temporary copy is removed in
 * every case, and when ferry quits. One file at a time. */
#ifndef FERRY_TUI_VIEWEDIT_H
#define FERRY_TUI_VIEWEDIT_H

#include "app.h"

/* F3 and F4. */
void viewedit_view(struct app *a);
void viewedit_edit(struct app *a);
/* A job ended (WIRE_END): the download or upload of the file, perhaps. */
void viewedit_job_end(struct app *a, unsigned id, enum queue_state st, const char *why);
/* The remote pane's listing arrived: the check before uploading, perhaps. */
void viewedit_listed(struct app *a);
/* Runs what waits for no dialog to be open: the viewer or editor on a
 * downloaded file, the question about a remote file that changed. */
void viewedit_pending(struct app *a);
/* Removes the temporary copy, if any (ferry quits). */
void viewedit_free(struct app *a);

#endif
