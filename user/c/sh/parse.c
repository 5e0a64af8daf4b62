/*
 * Splitting a line into words, a small subset of the POSIX shell's rules:
 *
 *   blanks      separate words
 *   '...'       everything inside is kept as it is, blanks included
 *   "..."       blanks are kept; $ expands; \ quotes only " \ and $
 *   \c          outside quotes: c itself
 *   $NAME ${NAME}
 *               a shell variable or environment variable (empty if unset)
 *   $? $! $$    the last status, the last background pid, the shell's pid
 *   #           at the start of a word: the rest of the line is a comment
 *   |           (unquoted) joins commands into a pipeline
 *   ;  &        end a pipeline; & runs it in the background
 *   &&  ||      run the next pipeline only if the last status is 0 / not 0
 *   < f  > f  >> f  2> f  2>> f  2>&1
 *               redirections (unquoted): input from f, output to f (>>:
 *               appended), errors to f or to where the output goes
 *
 * Quoted and unquoted pieces next to each other make one word, so
 * `echo "quoted   words" stay` has the two arguments "quoted   words" and
 * "stay". Expanded text is never split again, and there is no globbing
 * (a * is a *). Syntax the shell does not have — ( ) subshells, `...` and
 * $(...), <<, ;; — is an error when it is unquoted, never ignored.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
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

#define UNSUPPORTED(what) "unsupported syntax: " what " (not in this shell)"

/* The value of the variable named by the n bytes at s. */
static const char *lookup(const char *s, size_t n)
{
	char name[64];

	if (n >= sizeof(name))
		return "";
	memcpy(name, s, n);
	name[n] = 0;
	const char *v = sh_var(name);
	return v ? v : "";
}

/*
 * *pp points at a '$': append what it stands for and step past it. A $
 * that names no variable stays a plain '$'. NULL, or what is wrong.
 */
static const char *expand(const char **pp, struct line *w)
{
	const char *p = *pp, *val = NULL;
	char num[16] = "";
	size_t n;

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
	case '(':
		return UNSUPPORTED("$(...)");
	case '{':
		n = sh_name_len(p + 2);
		if (n == 0 || p[2 + n] != '}')
			return UNSUPPORTED("${...} other than ${NAME}");
		val = lookup(p + 2, n);
		*pp = p + 3 + n;
		return put_str(w, val) ? NULL : TOO_LONG;
	default:
		n = sh_name_len(p + 1);
		if (n == 0) {
			*pp = p + 1;
			return put(w, '$') ? NULL : TOO_LONG;
		}
		val = lookup(p + 1, n);
		*pp = p + 1 + n;
		return put_str(w, val) ? NULL : TOO_LONG;
	}
	*pp = p + 2;
	return put_str(w, num) ? NULL : TOO_LONG;
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
	const char *p = *pp + 1, *err = NULL;

	while (!err && *p != '"') {
		if (!*p)
			return UNCLOSED;
		if (*p == '$') {
			err = expand(&p, w);
			continue;
		}
		if (*p == '`')
			return UNSUPPORTED("`...`");
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
			p++;
		err = put(w, *p++) ? NULL : TOO_LONG;
	}
	if (err)
		return err;
	*pp = p + 1;
	return NULL;
}

static bool is_operator(char c)
{
	return c == '&' || c == '|' || c == '<' || c == '>' || c == ';';
}

/* Unquoted characters that begin syntax this shell does not have. */
static bool is_unsupported(char c)
{
	return c == '(' || c == ')' || c == '`';
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
			err = expand(&p, l);
		} else if (is_unsupported(*p)) {
			err = *p == '`' ? UNSUPPORTED("`...`") : UNSUPPORTED("( )");
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

static void begin_command(struct words *c)
{
	c->argc = 0;
	c->nredir = 0;
}

static void begin_pipeline(struct pipeline *pl, size_t start)
{
	pl->ncmd = 1;
	pl->background = false;
	pl->start = pl->end = start;
	begin_command(&pl->cmd[0]);
}

/* The pipeline pl is complete: NULL, or what is wrong with it. */
static const char *end_pipeline(struct pipeline *pl)
{
	struct words *c = &pl->cmd[pl->ncmd - 1];

	c->argv[c->argc] = NULL;
	if (c->argc == 0 && (pl->ncmd > 1 || c->nredir))
		return pl->ncmd > 1 ? "| needs a command on each side"
				    : "a redirection needs a command";
	return NULL;
}

/* *pp points at ; & && or || in text: end the pipeline and start the next. */
static const char *join(const char **pp, const char *text, struct line *l)
{
	const char *p = *pp, *err;
	struct pipeline *pl = &l->p[l->n - 1];
	enum join j = JOIN_SEQ;

	if (p[0] == ';' && p[1] == ';')
		return UNSUPPORTED(";;");
	if ((p[0] == '&' && p[1] == '&') || (p[0] == '|' && p[1] == '|'))
		j = p[0] == '&' ? JOIN_AND : JOIN_OR;
	if (pl->cmd[0].argc == 0 && pl->ncmd == 1 && !pl->cmd[0].nredir)
		return j == JOIN_AND  ? "&& needs a command on each side"
		       : j == JOIN_OR ? "|| needs a command on each side"
		       : *p == '&'    ? "& needs a command before it"
				      : "; needs a command before it";
	if ((err = end_pipeline(pl)) != NULL)
		return err;
	pl->background = *p == '&' && j == JOIN_SEQ;
	pl->end = (size_t)(p - text);
	/* a && b & would put the whole list in the background: not done here. */
	if (pl->background && l->n > 1 && l->join[l->n - 2] != JOIN_SEQ)
		return UNSUPPORTED("& after && or ||");
	*pp = p + (j == JOIN_SEQ ? 1 : 2);
	if (l->n == SH_LIST)
		return "too many commands on one line";
	l->join[l->n - 1] = j;
	begin_pipeline(&l->p[l->n++], (size_t)(*pp - text));
	return NULL;
}

/* The last pipeline: NULL, or what is wrong. An empty one after ; or & is no command. */
static const char *end_line(struct line *l)
{
	struct pipeline *pl = &l->p[l->n - 1];

	if (l->n > 1 && pl->ncmd == 1 && pl->cmd[0].argc == 0 && !pl->cmd[0].nredir) {
		if (l->join[l->n - 2] != JOIN_SEQ)
			return l->join[l->n - 2] == JOIN_AND ? "&& needs a command on each side"
							     : "|| needs a command on each side";
		l->n--;
		return NULL;
	}
	return end_pipeline(pl);
}

const char *sh_parse(const char *text, struct line *l)
{
	const char *p = text, *err;

	l->n = 1;
	l->used = 0;
	begin_pipeline(&l->p[0], 0);
	for (;;) {
		struct pipeline *pl = &l->p[l->n - 1];
		struct words *c = &pl->cmd[pl->ncmd - 1];
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		pl->end = strlen(text); /* until a join says otherwise */
		if (*p == ';' || *p == '&' || (*p == '|' && p[1] == '|')) {
			if ((err = join(&p, text, l)) != NULL)
				return err;
			continue;
		}
		if (*p == '|') {
			if (c->argc == 0)
				return "| needs a command on each side";
			if (pl->ncmd == SH_STAGES)
				return "pipeline too long";
			c->argv[c->argc] = NULL;
			begin_command(&pl->cmd[pl->ncmd++]);
			p++;
			continue;
		}
		if (*p == '<' && p[1] == '<')
			return UNSUPPORTED("<<");
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
	return end_line(l);
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
