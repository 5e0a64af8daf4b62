/* The line discipline: see ldisc.h. */
#include "user/con/ldisc.h"

#include "user/con/ready.h"

#define CTRL(c)	    ((c)&0x1f)
#define SIGNAL_INT  2  /* picolibc's SIGINT */
#define SIGNAL_TSTP 18 /* and SIGTSTP */
#define ESC	    0x1b
#define DEL	    0x7f

enum { ESC_NONE, ESC_START, ESC_SEQ };

/*
 * Follow an escape sequence: ESC, then '[' or 'O' and parameters up to a
 * final byte (0x40..0x7e), or ESC and one other byte. Returns true while
 * c is part of one. A control byte inside a sequence ends it and is then
 * processed as usual.
 */
static bool in_escape(struct ldisc *ld, unsigned char c)
{
	if (c == ESC) {
		ld->esc = ESC_START;
		return true;
	}
	if (ld->esc == ESC_NONE)
		return false;
	if (c < 0x20) {
		ld->esc = ESC_NONE;
		return false;
	}
	if (ld->esc == ESC_START && (c == '[' || c == 'O')) {
		ld->esc = ESC_SEQ;
		ld->esc_params = 0;
	} else if (ld->esc == ESC_START || (c >= 0x40 && c <= 0x7e)) {
		/* Up and down arrows (CSI A / B, or SS3 A / B), with no parameters. */
		if (ld->esc == ESC_SEQ && !ld->esc_params && (c == 'A' || c == 'B'))
			ld->arrow = (char)c;
		ld->esc = ESC_NONE;
	} else {
		ld->esc_params++;
	}
	return true;
}

static void erase_line(struct ldisc *ld, struct echo *e)
{
	for (; ld->len; ld->len--)
		echo_put(e, "\b \b", 3);
}

/* Replace the line being typed with s (erasing what was echoed). */
static void replace_line(struct ldisc *ld, const char *s, struct echo *e)
{
	erase_line(ld, e);
	for (; *s && ld->len < LDISC_LINE_MAX; s++) {
		ld->line[ld->len++] = *s;
		echo_put(e, s, 1);
	}
}

/*
 * History: Up shows the line entered before the one shown (Down the one
 * after; past the newest, an empty line). What was typed and not entered
 * is lost on Up, as in a simple terminal.
 */
static void history_move(struct ldisc *ld, struct echo *e)
{
	unsigned have = ld->hist_count < LDISC_HISTORY ? ld->hist_count : LDISC_HISTORY;

	if (ld->arrow == 'A' && ld->hist_pos < have)
		ld->hist_pos++;
	else if (ld->arrow == 'B' && ld->hist_pos > 0)
		ld->hist_pos--;
	else
		return;
	if (ld->hist_pos == 0) {
		replace_line(ld, "", e);
		return;
	}
	unsigned slot = (ld->hist_count - ld->hist_pos) % LDISC_HISTORY;
	replace_line(ld, ld->hist[slot], e);
}

/* Keep a non-empty line entered (without its newline) in the history. */
static void history_add(struct ldisc *ld)
{
	if (ld->len == 0)
		return;
	char *h = ld->hist[ld->hist_count % LDISC_HISTORY];
	for (size_t i = 0; i < ld->len; i++)
		h[i] = ld->line[i];
	h[ld->len] = 0;
	ld->hist_count++;
}

static void end_line(struct ldisc *ld, struct echo *e)
{
	history_add(ld);
	ld->hist_pos = 0;
	echo_put(e, "\r\n", 2);
	ld->line[ld->len++] = '\n';
	if (ready_put_line(ld->line, ld->len))
		ld->queued = true;
	ld->len = 0;
}

void ldisc_byte(struct ldisc *ld, unsigned char c, struct echo *e)
{
	bool lf_after_cr = c == '\n' && ld->after_cr;

	ld->after_cr = c == '\r';
	if (lf_after_cr)
		return;
	if (in_escape(ld, c)) {
		if (ld->arrow) {
			history_move(ld, e);
			ld->arrow = 0;
		}
		return;
	}
	if ((c >= 0x20 && c < DEL) || c == '\t') {
		if (ld->len < LDISC_LINE_MAX) {
			ld->line[ld->len++] = (char)c;
			echo_put(e, (const char *)&c, 1);
		}
		return;
	}
	switch (c) {
	case '\r':
	case '\n':
		end_line(ld, e);
		break;
	case '\b':
	case DEL:
		if (ld->len) {
			ld->len--;
			echo_put(e, "\b \b", 3);
		}
		break;
	case CTRL('U'):
		erase_line(ld, e);
		break;
	case CTRL('C'):
		ld->len = 0;
		ld->signal = SIGNAL_INT;
		echo_put(e, "^C\r\n", 4);
		break;
	case CTRL('Z'):
		ld->len = 0;
		ld->signal = SIGNAL_TSTP;
		echo_put(e, "^Z\r\n", 4);
		break;
	case CTRL('D'):
		if (ld->len == 0 && ready_put_eof())
			ld->queued = true;
		break;
	default:
		break;
	}
}
