/* The line discipline: see ldisc.h. */
#include "user/con/ldisc.h"

#include "user/con/ready.h"

#define CTRL(c) ((c)&0x1f)
#define ESC	0x1b
#define DEL	0x7f

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
	if (ld->esc == ESC_START && (c == '[' || c == 'O'))
		ld->esc = ESC_SEQ;
	else if (ld->esc == ESC_START || (c >= 0x40 && c <= 0x7e))
		ld->esc = ESC_NONE;
	return true;
}

static void erase_line(struct ldisc *ld, struct echo *e)
{
	for (; ld->len; ld->len--)
		echo_put(e, "\b \b", 3);
}

static void end_line(struct ldisc *ld, struct echo *e)
{
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
	if (lf_after_cr || in_escape(ld, c))
		return;
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
		ld->interrupt = true;
		echo_put(e, "^C\r\n", 4);
		break;
	case CTRL('D'):
		if (ld->len == 0 && ready_put_eof())
			ld->queued = true;
		break;
	default:
		break;
	}
}
