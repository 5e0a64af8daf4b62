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
 *   |           (unquoted) joins commands into a pipeline
 *   < f  > f  >> f  2> f  2>> f  2>&1
 *               redirections (unquoted): input from f, output to f (>>:
 *               appended), errors to f or to where the output goes
 *
 * Quoted and unquoted pieces next to each other make one word, so
 * `echo "quoted   words" stay` has the two arguments "quoted   words" and
 * "stay". Expanded text is never split again.
 */
#include <fcntl.h>
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
static bool put(struct line *w, char c)
{
	if (w->used == SH_TEXT)
		return false;
	w->text[w->used++] = c;
	return true;
}

static bool put_str(struct line *w, const char *s)
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
static bool expand(const char **pp, struct line *w)
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
static const char *single_quoted(const char **pp, struct line *w)
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
static const char *double_quoted(const char **pp, struct line *w)
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

static bool is_operator(char c)
{
	return c == '&' || c == '|' || c == '<' || c == '>';
}

/* *pp points at the first byte of a word: add it to the text and step past it; *out its start. */
static const char *word(const char **pp, struct line *l, char **out)
{
	const char *p = *pp, *err = NULL;
	char *start = l->text + l->used;

	while (!err && *p && !is_blank(*p) && !is_operator(*p)) {
		if (*p == '\'') {
			err = single_quoted(&p, l);
		} else if (*p == '"') {
			err = double_quoted(&p, l);
		} else if (*p == '$') {
			err = expand(&p, l) ? NULL : TOO_LONG;
		} else {
			if (*p == '\\' && p[1] && p[1] != '\n' && p[1] != '\r')
				p++;
			err = put(l, *p++) ? NULL : TOO_LONG;
		}
	}
	if (!err && !put(l, '\0'))
		err = TOO_LONG;
	*out = start;
	*pp = p;
	return err;
}

/*
 * *pp points at a redirection (`<`, `>`, `>>`, or `2` followed by one of
 * those, or `2>&1`): add it to c and step past it and its file's word.
 */
static const char *redirection(const char **pp, struct line *l, struct words *c)
{
	const char *p = *pp;
	struct redir r = {.fd = 0, .flags = O_RDONLY};

	if (c->nredir == SH_REDIRS)
		return "too many redirections";
	if (*p == '2') {
		r.fd = 2;
		p++;
	}
	if (*p == '>') {
		if (!r.fd)
			r.fd = 1;
		r.flags = O_WRONLY | O_CREAT | O_TRUNC;
		if (*++p == '>') {
			r.flags = O_WRONLY | O_CREAT | O_APPEND;
			p++;
		}
	} else {
		p++; /* '<' */
	}
	if (r.fd == 2 && r.flags == (O_WRONLY | O_CREAT | O_TRUNC) && p[0] == '&' && p[1] == '1') {
		r.flags = -1;
		*pp = p + 2;
		c->redir[c->nredir++] = r;
		return NULL;
	}
	while (is_blank(*p))
		p++;
	if (!*p || is_operator(*p) || *p == '#')
		return "a redirection needs a file";
	const char *err = word(&p, l, &r.path);
	if (!err)
		c->redir[c->nredir++] = r;
	*pp = p;
	return err;
}

const char *sh_parse(const char *text, struct line *l)
{
	const char *p = text, *err;
	struct words *c = &l->cmd[0];

	l->ncmd = 1;
	l->background = false;
	l->used = 0;
	c->argc = 0;
	c->nredir = 0;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (l->background)
			return "& must end the command";
		if (*p == '&') {
			l->background = true;
			p++;
			continue;
		}
		if (*p == '|') {
			if (c->argc == 0)
				return "| needs a command on each side";
			if (l->ncmd == SH_STAGES)
				return "pipeline too long";
			c->argv[c->argc] = NULL;
			c = &l->cmd[l->ncmd++];
			c->argc = 0;
			c->nredir = 0;
			p++;
			continue;
		}
		if (*p == '<' || *p == '>' || (*p == '2' && p[1] == '>')) {
			if ((err = redirection(&p, l, c)) != NULL)
				return err;
			continue;
		}
		if (c->argc == SH_WORDS)
			return "too many words";
		if ((err = word(&p, l, &c->argv[c->argc])) != NULL)
			return err;
		c->argc++;
	}
	c->argv[c->argc] = NULL;
	if (c->argc == 0 && (l->ncmd > 1 || c->nredir))
		return l->ncmd > 1 ? "| needs a command on each side"
				   : "a redirection needs a command";
	if (l->background && c->argc == 0)
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
