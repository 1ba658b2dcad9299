/* pane: the model of one file pane of the TUI: the entries of one
 * directory (remote or local), the cursor, the scroll offset, the sort
 * order, the name filter, the hidden-file switch and the tagged set.
 * Plain C: no curses, no I/O, nothing printed; the view reads it and the
 * input layer changes it through these calls. Built for large folders:
 * entries are sorted once (O(n log n)) into an order array and the
 * visible rows are an index array rebuilt in O(n) when the filter or the
 * hidden switch changes; moving the cursor is O(1); finding an entry by
 * name is a binary search (pane_find). */
#ifndef FERRY_TUI_PANE_H
#define FERRY_TUI_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "listparse.h"

/* The name of the parent entry, always first when present. */
#define PANE_PARENT ".."
/* Longest filter text, in bytes. */
#define PANE_FILTER_MAX 256
/* Longest directory path kept, in bytes. */
#define PANE_PATH_MAX 4096

/* What the rows are ordered by. */
enum pane_sort {
	PANE_SORT_NAME,  /* by name, bytewise */
	PANE_SORT_EXT,   /* by extension (what follows the last '.'), then name */
	PANE_SORT_SIZE,  /* by size, largest first (reverse: smallest first) */
	PANE_SORT_DATE,  /* by modification time, newest first (reverse: oldest first) */
	PANE_SORT_COUNT, /* number of sort modes */
};

/* One entry of a pane. */
struct pane_entry {
	char *name;               /* raw name: for commands and paths, never shown */
	char *display;            /* sanitised name: the one to show */
	enum ftp_entry_type type; /* file, directory, link, other */
	off_t size;               /* bytes; -1 when unknown */
	time_t mtime;             /* seconds since the epoch; 0 when unknown */
	char *target;             /* a link's target, sanitised; NULL when none or unknown */
	bool link;                /* a symbolic link (type says what it leads to) */
	bool broken;              /* a link that leads nowhere */
	bool tagged;              /* in the tagged set */
};

struct pane;

/* Returns a new empty pane (never NULL); free with pane_free. */
struct pane *pane_new(void);
/* Frees p and everything it owns; NULL is allowed. */
void pane_free(struct pane *p);

/* Starts loading directory path (copied; path is raw): drops the entries
 * (keeping the tagged names when path is the current directory, so a
 * refresh keeps tags) and adds ".." unless at_root. */
void pane_load_begin(struct pane *p, const char *path, bool at_root);
/* Adds one entry; name is raw and copied (sanitised for display here).
 * "." and ".." from the source are ignored. */
void pane_load_add(struct pane *p, const char *name, enum ftp_entry_type type,
		   off_t size, time_t mtime);
/* pane_load_add for a symbolic link: target (sanitised text, copied; NULL
 * or "" when unknown) and whether it leads nowhere. */
void pane_load_add_link(struct pane *p, const char *name, enum ftp_entry_type type,
			off_t size, time_t mtime, const char *target, bool broken);
/* Adds every entry of a listing (strings copied; l is unchanged). */
void pane_load_listing(struct pane *p, const struct ftp_listing *l);
/* Ends loading: sorts, filters, re-applies tags, and puts the cursor on
 * the entry named keep (raw; NULL or missing = the first row). */
void pane_load_end(struct pane *p, const char *keep);

/* The directory shown (raw), "" before any load; owned by p. */
const char *pane_path(const struct pane *p);
/* Number of entries loaded, hidden and filtered ones included. */
size_t pane_total(const struct pane *p);
/* Number of visible rows. */
size_t pane_rows(const struct pane *p);
/* The entry at visible row i (< pane_rows), owned by p; NULL if out of range. */
const struct pane_entry *pane_row(const struct pane *p, size_t i);
/* The row under the cursor (0 when empty). */
size_t pane_cursor(const struct pane *p);
/* The entry under the cursor, owned by p; NULL when there are no rows. */
const struct pane_entry *pane_current(const struct pane *p);

/* Moves the cursor by delta rows, clamped to the rows. */
void pane_move(struct pane *p, long delta);
/* Moves the cursor to row i, clamped. */
void pane_move_to(struct pane *p, size_t i);
/* Moves a page (height rows) down (dir > 0) or up (dir < 0). */
void pane_page(struct pane *p, int dir, size_t height);
/* Moves to the first row. */
void pane_home(struct pane *p);
/* Moves to the last row. */
void pane_end(struct pane *p);
/* Returns the first row to draw in a window of height rows, keeping the
 * cursor visible and scrolling as little as possible (remembers it). */
size_t pane_scroll(struct pane *p, size_t height);

/* Sets the sort mode and direction, keeping the cursor on its entry. */
void pane_set_sort(struct pane *p, enum pane_sort mode, bool reverse);
/* Moves to the next sort mode (name, extension, size, date, name...). */
void pane_cycle_sort(struct pane *p);
/* Turns the sort direction round, keeping the cursor on its entry. */
void pane_reverse_sort(struct pane *p);
/* The sort mode. */
enum pane_sort pane_sort_mode(const struct pane *p);
/* True when the sort direction is reversed. */
bool pane_sort_reverse(const struct pane *p);
/* A short name for a sort mode ("name", "ext", "size", "date"); static. */
const char *pane_sort_name(enum pane_sort mode);

/* Shows only entries whose display name holds text (case folded for
 * every letter the locale knows, so "GRÜ" finds "grün"; "" or NULL = all)
 * and puts the cursor on the first match. Returns the number of matching
 * rows. */
size_t pane_set_filter(struct pane *p, const char *text);
/* The filter text ("" when none); owned by p. */
const char *pane_filter(const struct pane *p);
/* Shows or hides names starting with '.', keeping the cursor on its entry when visible. */
void pane_set_hidden(struct pane *p, bool show);
/* True when hidden names are shown. */
bool pane_hidden_shown(const struct pane *p);

/* Toggles the tag of the entry under the cursor (".." cannot be tagged);
 * returns true if it is tagged now. */
bool pane_tag_toggle(struct pane *p);
/* Number of tagged entries. */
size_t pane_tag_count(const struct pane *p);
/* Bytes in the tagged files (directories and unknown sizes count 0). */
off_t pane_tag_bytes(const struct pane *p);
/* Tags (tag) or untags the visible entries whose name matches the shell
 * pattern (wildmat: * ? [...]; ".." never); returns how many changed. */
size_t pane_tag_pattern(struct pane *p, const char *pattern, bool tag);
/* Inverts the tags of the visible entries (".." never); returns the
 * number tagged afterwards. */
size_t pane_tag_invert(struct pane *p);
/* Clears every tag. */
void pane_tag_clear(struct pane *p);
/* Tags the entries called by the n names (raw, any order; ".." and names
 * not loaded skipped); returns how many it found. */
size_t pane_tag_names(struct pane *p, const char *const *names, size_t n);
/* Tagged entries in the current order: call with *it = 0 first; returns
 * the next tagged entry (owned by p) or NULL at the end. */
const struct pane_entry *pane_tag_next(const struct pane *p, size_t *it);
/* Finds an entry by raw name among all loaded ones (the first loaded of
 * two of one name); NULL if none. Owned by p, valid until its entries
 * change (a load). A binary search: the first lookup after a load sorts
 * the names (O(n log n)), the others take O(log n). */
const struct pane_entry *pane_find(struct pane *p, const char *name);

#endif
