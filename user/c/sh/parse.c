/*
 * Splitting a line into words, a small subset of the POSIX shell's rules:
 *
 *   blanks      separate words
 *   '...'       everything inside is kept as it is, blanks included
 *   "..."       blanks are kept; $ expands; \ quotes only " \ and $
 *   \c          outside quotes: c itself
 *   $? $! $$    the last status, the last background pid, the shell's pid
 *   #           at the start of a word: the rest of the line is a comment
 *   &           (unquoted) ends the command and runs it in the background
 *
 * Quoted and unquoted pieces next to each other make one word, so
 * `echo "quoted   words" stay` has the two arguments "quoted   words" and
 * "stay". Expanded text is never split again.
 */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "user/c/sh/sh.h"

#define TOO_LONG "line too long"
#define UNCLOSED "unterminated quote"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Append c to the words' text; false when it is full. */
static bool put(struct words *w, char c)
{
	if (w->used == SH_TEXT)
		return false;
	w->text[w->used++] = c;
	return true;
}

static bool put_str(struct words *w, const char *s)
{
	for (; *s; s++)
		if (!put(w, *s))
			return false;
	return true;
}

/*
 * *pp points at a '$': append what it stands for and step past it. A $
 * that names no variable stays a plain '$'. False when the text is full.
 */
static bool expand(const char **pp, struct words *w)
{
	const char *p = *pp;
	char num[16] = "";

	switch (p[1]) {
	case '?':
		snprintf(num, sizeof(num), "%d", sh.status);
		break;
	case '!':
		if (sh.last_bg) /* empty until something ran in the background */
			snprintf(num, sizeof(num), "%d", sh.last_bg);
		break;
	case '$':
		snprintf(num, sizeof(num), "%d", (int)getpid());
		break;
	default:
		*pp = p + 1;
		return put(w, '$');
	}
	*pp = p + 2;
	return put_str(w, num);
}

/* *pp points at an opening '; copy up to the closing one and step past it. */
static const char *single_quoted(const char **pp, struct words *w)
{
	const char *p = *pp + 1;

	for (; *p != '\''; p++) {
		if (!*p)
			return UNCLOSED;
		if (!put(w, *p))
			return TOO_LONG;
	}
	*pp = p + 1;
	return NULL;
}

/* *pp points at an opening "; copy and expand up to the closing one. */
static const char *double_quoted(const char **pp, struct words *w)
{
	const char *p = *pp + 1;
	bool ok = true;

	while (ok && *p != '"') {
		if (!*p)
			return UNCLOSED;
		if (*p == '$') {
			ok = expand(&p, w);
			continue;
		}
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
			p++;
		ok = put(w, *p++);
	}
	if (!ok)
		return TOO_LONG;
	*pp = p + 1;
	return NULL;
}

/* *pp points at the first byte of a word: add the word to w and step past it. */
static const char *word(const char **pp, struct words *w)
{
	const char *p = *pp, *err = NULL;
	char *start = w->text + w->used;

	while (!err && *p && !is_blank(*p) && *p != '&') {
		if (*p == '\'') {
			err = single_quoted(&p, w);
		} else if (*p == '"') {
			err = double_quoted(&p, w);
		} else if (*p == '$') {
			err = expand(&p, w) ? NULL : TOO_LONG;
		} else {
			if (*p == '\\' && p[1] && p[1] != '\n' && p[1] != '\r')
				p++;
			err = put(w, *p++) ? NULL : TOO_LONG;
		}
	}
	if (!err && !put(w, '\0'))
		err = TOO_LONG;
	if (!err)
		w->argv[w->argc++] = start;
	*pp = p;
	return err;
}

const char *sh_parse(const char *line, struct words *w)
{
	const char *p = line, *err;

	w->argc = 0;
	w->background = false;
	w->used = 0;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (w->background)
			return "& must end the command";
		if (*p == '&') {
			w->background = true;
			p++;
			continue;
		}
		if (w->argc == SH_WORDS)
			return "too many words";
		if ((err = word(&p, w)) != NULL)
			return err;
	}
	w->argv[w->argc] = NULL;
	if (w->background && w->argc == 0)
		return "& needs a command before it";
	return NULL;
}

bool sh_number(const char *s, int *out)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return false;
	}
	*out = (int)v;
	return true;
}
