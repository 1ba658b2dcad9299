/* mouse: mouse events on the two-pane screen (see mouse.h). */
#include "config.h"

#include <curses.h>

#include "actions.h"
#include "draw.h"
#include "mouse.h"
#include "navigate.h"
#include "sysio.h"

bool mouse_read(struct app *a)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return false;
	struct app_mouse *m = &a->mouse;
	m->y = ev.y;
	m->x = ev.x;
	m->kind = (ev.bstate & BUTTON4_PRESSED) ? APP_MOUSE_WHEEL_UP
		: (ev.bstate & BUTTON5_PRESSED) ? APP_MOUSE_WHEEL_DOWN
		: (ev.bstate & BUTTON1_PRESSED) ? APP_MOUSE_PRESS : APP_MOUSE_NONE;
	return m->kind != APP_MOUSE_NONE;
}

/* A click on a pane: that pane, that row; the same row again soon opens it. */
static void mouse_pane(struct app *a, const struct draw_hit *h)
{
	struct app_mouse *m = &a->mouse;
	long long now = sysio_now_ms();
	bool twice = m->last_ms != 0 && now - m->last_ms <= MOUSE_DOUBLE_MS && m->last_y == m->y &&
		     a->active == h->side;
	a->active = h->side;
	if (h->row < 0 || (size_t)h->row >= pane_rows(a->pane[h->side])) {
		m->last_ms = 0;
		return;
	}
	pane_move_to(a->pane[h->side], (size_t)h->row);
	if (twice) {
		m->last_ms = 0;
		navigate_enter(a);
		return;
	}
	m->last_ms = now;
	m->last_y = m->y;
	m->last_x = m->x;
}

void mouse_act(struct app *a)
{
	struct draw_hit h;
	struct app_mouse *m = &a->mouse;
	draw_hit(a, m->y, m->x, &h);
	if (m->kind == APP_MOUSE_WHEEL_UP || m->kind == APP_MOUSE_WHEEL_DOWN) {
		enum app_side side = h.region == DRAW_PANE ? h.side : a->active;
		pane_move(a->pane[side], m->kind == APP_MOUSE_WHEEL_UP ? -MOUSE_WHEEL_ROWS
								       : MOUSE_WHEEL_ROWS);
		return;
	}
	switch (h.region) {
	case DRAW_PANE:
		mouse_pane(a, &h);
		break;
	case DRAW_XFER:
		if (h.row >= 0 && (size_t)h.row < queue_count(a->queue)) {
			a->xfer_sel = queue_at(a->queue, (size_t)h.row)->id;
			a->xfer_follow = false;
		}
		break;
	case DRAW_HINT:
		actions_run(a, h.action);
		break;
	case DRAW_NOWHERE:
		break;
	}
}
