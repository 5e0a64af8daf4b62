/* Page replacement policies (replace.h). */
#include "lib/replace.h"

static const char *const names[RP_KINDS] = {
    [RP_OPT] = "opt", [RP_FIFO] = "fifo",      [RP_SECOND] = "second", [RP_CLOCK] = "clock",
    [RP_NRU] = "nru", [RP_LRU] = "lru",	       [RP_NFU] = "nfu",       [RP_AGING] = "aging",
    [RP_WS] = "ws",   [RP_WSCLOCK] = "wsclock"};

const char *rp_name(enum rp_kind k)
{
	return (unsigned)k < RP_KINDS ? names[k] : "?";
}

int rp_by_name(const char *name)
{
	for (int k = 0; k < RP_KINDS; k++) {
		const char *a = names[k], *b = name;
		while (*a && *a == *b)
			a++, b++;
		if (!*a && !*b)
			return k;
	}
	return -1;
}

void rp_init(struct rp_set *s, enum rp_kind k, struct rp_frame *frames, unsigned n, uint32_t *index,
	     unsigned index_cap, uint64_t tau)
{
	*s = (struct rp_set){
	    .kind = k, .f = frames, .n = n, .tau = tau, .index = index, .index_cap = index_cap};
	for (unsigned i = 0; i < n; i++)
		frames[i] = (struct rp_frame){.page = RP_NONE};
	for (unsigned i = 0; i < index_cap; i++)
		index[i] = 0;
}

/* ----------------------------------------------------------------- traces */

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10
				       : 99;
	return d < (int)base ? d : -1;
}

enum rp_line rp_parse_line(const char *line, unsigned long n, uint64_t *page, bool *write)
{
	unsigned long i = 0;
	unsigned base = 10;
	uint64_t v = 0;

	while (i < n && blank(line[i]))
		i++;
	if (i == n || line[i] == '#')
		return RP_LINE_SKIP;
	if (n - i > 2 && line[i] == '0' && (line[i + 1] == 'x' || line[i + 1] == 'X') &&
	    digit(line[i + 2], 16) >= 0) {
		base = 16;
		i += 2;
	}
	unsigned long first = i;
	for (int d; i < n && (d = digit(line[i], base)) >= 0; i++) {
		if (v > (RP_NONE - 1 - (uint64_t)d) / base)
			return RP_LINE_BAD; /* beyond the largest page number */
		v = v * base + (uint64_t)d;
	}
	if (i == first)
		return RP_LINE_BAD;
	while (i < n && blank(line[i]))
		i++;
	*write = i < n && (line[i] == 'W' || line[i] == 'w');
	if (i < n && (line[i] == 'R' || line[i] == 'r' || *write))
		i++;
	while (i < n && blank(line[i]))
		i++;
	if (i != n)
		return RP_LINE_BAD;
	*page = v;
	return RP_LINE_REF;
}

/* ----------------------------------------------------------------- the page index */

static unsigned slot_of(const struct rp_set *s, uint64_t page)
{
	uint64_t h = page * 0x9e3779b97f4a7c15ull;
	return (unsigned)(h >> 32) & (s->index_cap - 1);
}

/* The frame page is in, or -1. */
static int lookup(const struct rp_set *s, uint64_t page)
{
	for (unsigned i = slot_of(s, page);; i = (i + 1) & (s->index_cap - 1)) {
		if (!s->index[i])
			return -1;
		if (s->f[s->index[i] - 1].page == page)
			return (int)s->index[i] - 1;
	}
}

static void index_add(struct rp_set *s, uint64_t page, unsigned frame)
{
	unsigned i = slot_of(s, page);

	while (s->index[i])
		i = (i + 1) & (s->index_cap - 1);
	s->index[i] = frame + 1;
}

/* Remove page's entry, moving back the entries after it that may not stay (linear probing). */
static void index_remove(struct rp_set *s, uint64_t page)
{
	unsigned mask = s->index_cap - 1, i = slot_of(s, page);

	while (s->f[s->index[i] - 1].page != page)
		i = (i + 1) & mask;
	s->index[i] = 0;
	for (unsigned j = (i + 1) & mask; s->index[j]; j = (j + 1) & mask) {
		unsigned home = slot_of(s, s->f[s->index[j] - 1].page);
		/* Move j back to i if its home is not in (i, j] going round. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			s->index[i] = s->index[j];
			s->index[j] = 0;
			i = j;
		}
	}
}

/* ----------------------------------------------------------------- the heap of victims */

static uint64_t key_loaded(const struct rp_frame *f)
{
	return f->loaded;
}

static uint64_t key_last(const struct rp_frame *f)
{
	return f->last;
}

static uint64_t key_count(const struct rp_frame *f)
{
	return f->count;
}

static uint64_t key_later_next(const struct rp_frame *f)
{
	return UINT64_MAX - f->next; /* the furthest next use is the smallest key */
}

static uint64_t key_class(const struct rp_frame *f)
{
	return (uint64_t)f->r * 2 + f->m;
}

/* The key of the policies whose victim is the resident page with the smallest one, or NULL. */
static uint64_t (*heap_key(enum rp_kind k))(const struct rp_frame *)
{
	switch (k) {
	case RP_OPT:
		return key_later_next;
	case RP_FIFO:
	case RP_SECOND:
		return key_loaded;
	case RP_NRU:
		return key_class;
	case RP_LRU:
		return key_last;
	case RP_NFU:
	case RP_AGING:
		return key_count;
	default:
		return 0;
	}
}

/*
 * Does frame a come before frame b: not deferred before deferred, then a
 * smaller key, then the lower frame among equals.
 */
static bool before(const struct rp_set *s, unsigned a, unsigned b)
{
	uint64_t (*key)(const struct rp_frame *) = heap_key(s->kind);
	uint64_t ka = key(&s->f[a]), kb = key(&s->f[b]);

	if (s->f[a].deferred != s->f[b].deferred)
		return s->f[b].deferred;
	return ka < kb || (ka == kb && a < b);
}

static void heap_put(struct rp_set *s, unsigned at, unsigned frame)
{
	s->f[at].heap = frame;
	s->f[frame].pos = at;
}

static void sift_up(struct rp_set *s, unsigned at)
{
	unsigned frame = s->f[at].heap;

	while (at > 0 && before(s, frame, s->f[(at - 1) / 2].heap)) {
		heap_put(s, at, s->f[(at - 1) / 2].heap);
		at = (at - 1) / 2;
	}
	heap_put(s, at, frame);
}

static void sift_down(struct rp_set *s, unsigned at, unsigned n)
{
	unsigned frame = s->f[at].heap;

	for (;;) {
		unsigned c = 2 * at + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(s, s->f[c + 1].heap, s->f[c].heap))
			c++;
		if (!before(s, s->f[c].heap, frame))
			break;
		heap_put(s, at, s->f[c].heap);
		at = c;
	}
	heap_put(s, at, frame);
}

/* Frame v came in: it joins the heap (live already counts it). */
static void heap_insert(struct rp_set *s, unsigned v)
{
	if (!heap_key(s->kind))
		return;
	heap_put(s, s->live - 1, v);
	sift_up(s, s->live - 1);
}

/* Frame v goes (live still counts it). */
static void heap_delete(struct rp_set *s, unsigned v)
{
	if (!heap_key(s->kind))
		return;
	unsigned at = s->f[v].pos, last = s->live - 1;
	if (at == last)
		return;
	heap_put(s, at, s->f[last].heap);
	sift_up(s, at);
	sift_down(s, s->f[s->f[at].heap].pos, last);
}

/* Frame v's key changed. */
static void heap_fix(struct rp_set *s, unsigned v)
{
	if (!heap_key(s->kind))
		return;
	sift_up(s, s->f[v].pos);
	sift_down(s, s->f[v].pos, s->live);
}

/* Every key may have changed (a tick). */
static void heap_build(struct rp_set *s)
{
	for (unsigned at = s->live / 2; at-- > 0;)
		sift_down(s, at, s->live);
}

/* The frame with the smallest key; some frame is resident. */
static unsigned heap_min(const struct rp_set *s)
{
	return s->f[0].heap;
}

/* ----------------------------------------------------------------- victims */

static bool is_free(const struct rp_frame *f)
{
	return f->page == RP_NONE;
}

/* The resident frame with the smallest key (ties: the lowest index); some frame is resident. */
static unsigned min_by(const struct rp_set *s, uint64_t (*key)(const struct rp_frame *))
{
	unsigned best = 0;

	while (is_free(&s->f[best]))
		best++;
	for (unsigned i = best + 1; i < s->used; i++)
		if (!is_free(&s->f[i]) && key(&s->f[i]) < key(&s->f[best]))
			best = i;
	return best;
}

/* FIFO order with a second chance: the oldest page not referenced since it was last passed. */
static unsigned second_chance(struct rp_set *s)
{
	for (;;) {
		unsigned v = heap_min(s);
		if (!s->f[v].r)
			return v;
		s->f[v].r = 0;
		s->f[v].loaded = s->now; /* to the back of the queue */
		s->now++;		 /* keeps the queue order strict */
		heap_fix(s, v);
	}
}

/* The hand's frame, moving the hand on (round the frames ever used). */
static unsigned hand_step(struct rp_set *s)
{
	unsigned v = s->hand < s->used ? s->hand : 0;

	s->hand = (v + 1) % s->used;
	return v;
}

static unsigned clock_hand(struct rp_set *s)
{
	for (;;) {
		unsigned v = hand_step(s);
		struct rp_frame *f = &s->f[v];
		if (is_free(f))
			continue;
		if (!f->r)
			return v;
		f->r = 0;
	}
}

/* Working set: a page not used within tau (by the last tick's knowledge), else the oldest. */
static unsigned ws_victim(struct rp_set *s)
{
	unsigned oldest = min_by(s, key_last);

	for (unsigned i = 0; i < s->used; i++)
		if (!is_free(&s->f[i]) && !s->f[i].r && s->now - s->f[i].last > s->tau)
			return i;
	return oldest;
}

/*
 * WSClock: the hand goes round; a referenced page gets its time updated
 * and is skipped, an old dirty one is written back (counted) and skipped,
 * an old clean one is the victim. After two full turns without one: the
 * page under the hand.
 */
static unsigned wsclock_victim(struct rp_set *s)
{
	for (unsigned step = 0; step < 2 * s->used; step++) {
		unsigned v = hand_step(s);
		struct rp_frame *f = &s->f[v];
		if (is_free(f))
			continue;
		if (f->r) {
			f->r = 0;
			f->last = s->now;
		} else if (s->now - f->last > s->tau) {
			if (!f->m)
				return v;
			f->m = 0; /* written back: clean from now on */
			s->writebacks++;
		}
	}
	for (;;) {
		unsigned v = hand_step(s);
		if (!is_free(&s->f[v]))
			return v;
	}
}

static unsigned victim(struct rp_set *s)
{
	switch (s->kind) {
	case RP_SECOND:
		return second_chance(s);
	case RP_CLOCK:
		return clock_hand(s);
	case RP_OPT:
	case RP_FIFO:
	case RP_NRU:
	case RP_LRU:
	case RP_NFU:
	case RP_AGING:
		return heap_min(s);
	case RP_WS:
		return ws_victim(s);
	default:
		return wsclock_victim(s);
	}
}

/* ----------------------------------------------------------------- references and ticks */

bool rp_resident(const struct rp_set *s, uint64_t page)
{
	return lookup(s, page) >= 0;
}

/* Frame v holds page now (or RP_NONE): its other fields start afresh, its heap entry stays. */
static void frame_reset(struct rp_set *s, unsigned v, uint64_t page)
{
	uint32_t heap = s->f[v].heap;

	s->f[v] = (struct rp_frame){.page = page, .loaded = s->now, .heap = heap};
}

/* Take page's frame away (the frame goes on the free list). */
static void frame_free(struct rp_set *s, unsigned v)
{
	index_remove(s, s->f[v].page);
	heap_delete(s, v);
	frame_reset(s, v, RP_NONE);
	s->f[v].next = s->free_head;
	s->free_head = v + 1;
	s->live--;
}

bool rp_add(struct rp_set *s, uint64_t page, bool write)
{
	unsigned v;

	if (s->free_head) {
		v = s->free_head - 1;
		s->free_head = (unsigned)s->f[v].next;
	} else if (s->used < s->n) {
		v = s->used++;
	} else {
		return false;
	}
	frame_reset(s, v, page);
	if (s->kind == RP_CLOCK || s->kind == RP_WSCLOCK)
		s->hand = (v + 1) % s->n; /* the new page was placed under the hand */
	index_add(s, page, v);
	s->live++;
	heap_insert(s, v);
	rp_mark(s, page, write);
	return true;
}

void rp_remove(struct rp_set *s, uint64_t page)
{
	int i = lookup(s, page);

	if (i >= 0)
		frame_free(s, (unsigned)i);
}

/* Mark frame i referenced (and modified if write). */
static void mark(struct rp_set *s, unsigned i, bool write, uint64_t next_use)
{
	struct rp_frame *f = &s->f[i];

	f->r = 1;
	f->m |= write;
	f->last = s->now;
	f->next = next_use;
	s->now++;
	if (s->kind == RP_LRU || s->kind == RP_OPT || s->kind == RP_NRU)
		heap_fix(s, i); /* their keys are what a reference changes */
}

void rp_mark(struct rp_set *s, uint64_t page, bool write)
{
	int i = lookup(s, page);

	if (i >= 0)
		mark(s, (unsigned)i, write, RP_NONE);
}

void rp_defer(struct rp_set *s, uint64_t page)
{
	int i = lookup(s, page);

	if (i < 0)
		return;
	if (!heap_key(s->kind)) {
		mark(s, (unsigned)i, false, RP_NONE);
		return;
	}
	s->f[i].deferred = 1;
	heap_fix(s, (unsigned)i);
}

void rp_undefer(struct rp_set *s, uint64_t page)
{
	int i = lookup(s, page);

	if (i >= 0 && s->f[i].deferred) {
		s->f[i].deferred = 0;
		heap_fix(s, (unsigned)i);
	}
}

uint64_t rp_loaded(const struct rp_set *s, uint64_t page)
{
	int i = lookup(s, page);

	return i >= 0 ? s->f[i].loaded : RP_NONE;
}

bool rp_victim(struct rp_set *s, uint64_t *page)
{
	if (s->live == 0)
		return false;
	*page = s->f[victim(s)].page;
	return true;
}

bool rp_reference(struct rp_set *s, uint64_t page, bool write, uint64_t next_use)
{
	int i = lookup(s, page);
	bool fault = i < 0;

	if (fault) {
		if (s->live == s->n) {
			unsigned v = victim(s);
			if (s->f[v].m)
				s->writebacks++;
			frame_free(s, v);
		}
		rp_add(s, page, write);
		s->now--; /* rp_add marked it: the reference is counted once, below */
		s->faults++;
		i = lookup(s, page);
	}
	mark(s, (unsigned)i, write, next_use);
	return fault;
}

void rp_tick(struct rp_set *s)
{
	for (unsigned i = 0; i < s->used; i++) {
		struct rp_frame *f = &s->f[i];
		switch (s->kind) {
		case RP_NFU:
			f->count += f->r;
			break;
		case RP_AGING:
			f->count = (f->count >> 1) | ((uint64_t)f->r << 63);
			break;
		case RP_NRU:
		case RP_WS:
			break;
		default:
			continue; /* the others keep R until their hand or queue clears it */
		}
		f->r = 0;
	}
	if (s->kind == RP_NFU || s->kind == RP_AGING || s->kind == RP_NRU)
		heap_build(s);
}
