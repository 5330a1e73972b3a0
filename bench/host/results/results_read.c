// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a results file into a jansson tree, with every size bounded
 * before anything is allocated for it.
 *
 * A 37 KB .gz can inflate to 10 million raw samples, which jansson would
 * turn into 400 MB of json_t before any rule could look at "cycles.n".
 * So the file is read twice from memory: a first pass inflates it in
 * 64 KiB pieces and runs a small streaming tokenizer that keeps no
 * values, only counts (bytes, values, depth, and per results[] entry the
 * length of "raw" against "cycles.n"); only a file that passes is
 * inflated again into jansson.  gzip is decoded strictly: the CRC and
 * length of the trailer are checked by zlib, a missing trailer or bytes
 * after it are errors, and a read error is never taken for end of file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "results.h"
#include "results_int.h"

#define CHUNK	65536

/* The file's bytes, read whole (bounded): both passes decode from here. */
static int read_all(const char *path, unsigned char **buf, size_t *len,
		    char *err, size_t errlen)
{
	size_t cap = 0, n = 0;
	unsigned char *b = NULL, *nb;
	struct stat st;
	ssize_t got;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st)) {
		r = -errno;
		close(fd);
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(EISDIR));
		return -EISDIR;
	}
	/* a regular file says its size: refuse a huge one without reading */
	if (S_ISREG(st.st_mode) && st.st_size >= (off_t)EB_LOAD_MAX_FILE) {
		close(fd);
		snprintf(err, errlen, "%s: larger than %u MiB: not a results file this exitbench reads",
			 path, EB_LOAD_MAX_FILE >> 20);
		return -EFBIG;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= EB_LOAD_MAX_FILE) {
				snprintf(err, errlen, "%s: larger than %u MiB: not a results file this exitbench reads",
					 path, EB_LOAD_MAX_FILE >> 20);
				r = -EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : CHUNK;
			if (cap > EB_LOAD_MAX_FILE)
				cap = EB_LOAD_MAX_FILE;
			nb = realloc(b, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			b = nb;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: read error: %s", path, strerror(-r));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
fail:
	close(fd);
	free(b);
	return r;
}

/* The decoded text, a piece at a time: plain bytes or strict gzip. */
struct src {
	const unsigned char *in;
	size_t inlen, pos, total;
	bool gz, done;
	z_stream z;
	unsigned char out[CHUNK];
	int err;		/* -errno once failed */
	char msg[160];
	const unsigned char *pending;	/* decoded, not yet handed on */
	size_t pending_len;
};

static int src_open(struct src *s, const unsigned char *in, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->in = in;
	s->inlen = len;
	s->gz = len >= 2 && in[0] == 0x1f && in[1] == 0x8b;
	if (!s->gz)
		return 0;
	/* 16 + window bits: gzip wrapper only; zlib checks CRC32 and ISIZE. */
	if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	s->z.next_in = (unsigned char *)in;
	s->z.avail_in = (uInt)len;	/* len <= EB_LOAD_MAX_FILE < 4 GiB */
	return 0;
}

static void src_close(struct src *s)
{
	if (s->gz)
		inflateEnd(&s->z);
}

/* Next piece of text in *@p; returns its length, 0 at the end, or -1. */
static ssize_t src_next(struct src *s, const unsigned char **p)
{
	size_t n;
	int zr;

	if (s->err)
		return -1;
	if (!s->gz) {
		n = s->inlen - s->pos;
		if (n > CHUNK)
			n = CHUNK;
		*p = s->in + s->pos;
		s->pos += n;
		return (ssize_t)n;
	}
	if (s->done)
		return 0;
	s->z.next_out = s->out;
	s->z.avail_out = sizeof(s->out);
	zr = inflate(&s->z, Z_NO_FLUSH);
	n = sizeof(s->out) - s->z.avail_out;
	if (zr == Z_STREAM_END) {
		s->done = true;
		if (s->z.avail_in) {
			snprintf(s->msg, sizeof(s->msg),
				 "%u bytes after the end of the gzip stream",
				 s->z.avail_in);
			s->err = -EPROTO;
			return -1;
		}
	} else if (zr == Z_MEM_ERROR) {
		snprintf(s->msg, sizeof(s->msg), "out of memory");
		s->err = -ENOMEM;
		return -1;
	} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
		/* "incorrect data check" is the CRC, "... length check" ISIZE */
		snprintf(s->msg, sizeof(s->msg), "corrupt gzip data (%s)",
			 s->z.msg ? s->z.msg : "inflate failed");
		s->err = -EPROTO;
		return -1;
	} else if (n == 0 && s->z.avail_in == 0) {
		snprintf(s->msg, sizeof(s->msg),
			 "gzip data truncated (stream or its CRC/length trailer missing)");
		s->err = -EPROTO;
		return -1;
	}
	s->total += n;
	*p = s->out;
	return (ssize_t)n;
}

/*
 * The first pass.  A tokenizer strict enough that jansson will see the
 * same structure (strings with escapes, numbers, literals, nesting), but
 * it only remembers, per open container, what kind it is and which of
 * the few keys that bound sizes it sits under.
 */
enum tag { T_OTHER, T_ROOT, T_RESULTS, T_ENTRY, T_RAW, T_CYCLES };
enum key { K_OTHER, K_RESULTS, K_RAW, K_CYCLES, K_N };
/* S_FIRST: after { or [; S_NEXT: after , ; S_COLON: after a key;
 * S_VALUE: after : ; S_AFTER: after a value. */
enum st { S_FIRST, S_NEXT, S_COLON, S_VALUE, S_AFTER };
enum lex { L_NONE, L_STR, L_NUM, L_LIT };

struct level {
	unsigned char obj, tag, state, key;
};

struct scan {
	struct level lv[EB_LOAD_MAX_DEPTH];
	int depth;		/* open containers */
	bool root_done;
	enum lex lex;
	bool str_is_key, esc, key_long;
	int uhex;		/* hex digits still expected after \u */
	unsigned int ucode;
	char tok[48];		/* key or number text (truncated) */
	size_t toklen;
	const char *lit;	/* the literal being matched */
	size_t litpos;
	size_t bytes, line, values;
	size_t entry, raw_count;	/* results[entry] being scanned */
	bool entry_raw;
	double entry_n;		/* cycles.n, < 0 if not seen */
	char msg[200];
};

static int scan_fail(struct scan *sc, const char *what, int c)
{
	if (c < 0)
		snprintf(sc->msg, sizeof(sc->msg),
			 "not a valid results file (truncated or not JSON): line %zu: %s",
			 sc->line, what);
	else
		snprintf(sc->msg, sizeof(sc->msg),
			 "not a valid results file (truncated or not JSON): line %zu: %s '%c'",
			 sc->line, what, c >= 0x20 && c < 0x7f ? c : '?');
	return -EINVAL;
}

static struct level *top(struct scan *sc)
{
	return sc->depth ? &sc->lv[sc->depth - 1] : NULL;
}

/* A value starts here: may it, and what does it count towards? */
static int value_start(struct scan *sc, int c)
{
	struct level *l = top(sc);

	if (l ? !(l->state == S_VALUE || (!l->obj && (l->state == S_FIRST ||
							 l->state == S_NEXT)))
	      : sc->root_done)
		return scan_fail(sc, "unexpected", c);
	if (++sc->values > EB_LOAD_MAX_VALUES) {
		snprintf(sc->msg, sizeof(sc->msg),
			 "more than %u JSON values: too large for this exitbench",
			 EB_LOAD_MAX_VALUES);
		return -EFBIG;
	}
	if (!l || l->tag != T_RAW)
		return 0;
	sc->raw_count++;
	/* cycles.n sorts before raw: stop at the first sample too many */
	if (sc->entry_n >= 0 && (double)sc->raw_count > sc->entry_n) {
		snprintf(sc->msg, sizeof(sc->msg),
			 "results[%zu].raw: more than %.15g samples, but cycles.n is %.15g",
			 sc->entry, sc->entry_n, sc->entry_n);
		return -EPROTO;
	}
	if (sc->raw_count > EB_LOAD_MAX_RAW) {
		snprintf(sc->msg, sizeof(sc->msg),
			 "results[%zu].raw: more than %u samples (no run keeps that many)",
			 sc->entry, EB_LOAD_MAX_RAW);
		return -EFBIG;
	}
	return 0;
}

static void value_end(struct scan *sc)
{
	struct level *l = top(sc);

	if (l)
		l->state = S_AFTER;
	else
		sc->root_done = true;
}

static int open_container(struct scan *sc, bool obj, int c)
{
	struct level *l = top(sc), *n;
	int r = value_start(sc, c);
	unsigned char tag = T_OTHER;

	if (r)
		return r;
	if (sc->depth == EB_LOAD_MAX_DEPTH) {
		snprintf(sc->msg, sizeof(sc->msg),
			 "nested deeper than %d levels", EB_LOAD_MAX_DEPTH);
		return -EPROTO;
	}
	if (!l)
		tag = obj ? T_ROOT : T_OTHER;
	else if (l->tag == T_ROOT && l->key == K_RESULTS && !obj)
		tag = T_RESULTS;
	else if (l->tag == T_RESULTS && obj)
		tag = T_ENTRY;
	else if (l->tag == T_ENTRY && l->key == K_RAW && !obj)
		tag = T_RAW;
	else if (l->tag == T_ENTRY && l->key == K_CYCLES && obj)
		tag = T_CYCLES;
	if (tag == T_ENTRY) {
		sc->raw_count = 0;
		sc->entry_raw = false;
		sc->entry_n = -1;
	}
	if (tag == T_RAW)
		sc->entry_raw = true;
	n = &sc->lv[sc->depth++];
	n->obj = obj;
	n->tag = tag;
	n->state = S_FIRST;
	n->key = K_OTHER;
	return 0;
}

static int close_container(struct scan *sc, bool obj, int c)
{
	struct level *l = top(sc);

	if (!l || l->obj != obj ||
	    !(l->state == S_FIRST || l->state == S_AFTER))
		return scan_fail(sc, "unexpected", c);
	if (l->tag == T_ENTRY) {
		if (sc->entry_raw && sc->entry_n >= 0 &&
		    (double)sc->raw_count != sc->entry_n) {
			snprintf(sc->msg, sizeof(sc->msg),
				 "results[%zu].raw: %zu samples, but cycles.n is %.15g",
				 sc->entry, sc->raw_count, sc->entry_n);
			return -EPROTO;
		}
		sc->entry++;
	}
	sc->depth--;
	value_end(sc);
	return 0;
}

static enum key key_id(const char *k)
{
	if (!strcmp(k, "results"))
		return K_RESULTS;
	if (!strcmp(k, "raw"))
		return K_RAW;
	if (!strcmp(k, "cycles"))
		return K_CYCLES;
	if (!strcmp(k, "n"))
		return K_N;
	return K_OTHER;
}

static void tok_add(struct scan *sc, unsigned int c)
{
	if (c >= 0x80 || c == 0 || sc->toklen + 1 >= sizeof(sc->tok)) {
		sc->key_long = true;	/* never one of the keys we look for */
		return;
	}
	sc->tok[sc->toklen++] = (char)c;
	sc->tok[sc->toklen] = '\0';
}

static int str_end(struct scan *sc)
{
	struct level *l = top(sc);

	sc->lex = L_NONE;
	if (sc->str_is_key) {
		l->key = sc->key_long ? K_OTHER : key_id(sc->tok);
		l->state = S_COLON;
		return 0;
	}
	value_end(sc);
	return 0;
}

static int str_char(struct scan *sc, int c)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	const char *e;

	if (sc->uhex) {
		if (!strchr("0123456789abcdefABCDEF", c) || !c)
			return scan_fail(sc, "bad \\u escape at", c);
		sc->ucode = sc->ucode * 16 +
			(unsigned int)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		if (--sc->uhex == 0)
			tok_add(sc, sc->ucode);
		return 0;
	}
	if (sc->esc) {
		sc->esc = false;
		if (c == 'u') {
			sc->uhex = 4;
			sc->ucode = 0;
			return 0;
		}
		e = c ? strchr(esc_in, c) : NULL;
		if (!e)
			return scan_fail(sc, "bad escape", c);
		tok_add(sc, (unsigned char)esc_out[e - esc_in]);
		return 0;
	}
	if (c == '"')
		return str_end(sc);
	if (c == '\\') {
		sc->esc = true;
		return 0;
	}
	if (c < 0x20)
		return scan_fail(sc, "control character in a string", -1);
	tok_add(sc, (unsigned int)c);
	return 0;
}

static void num_end(struct scan *sc)
{
	struct level *l = top(sc);
	char *end;
	double v;

	sc->lex = L_NONE;
	if (l && l->tag == T_CYCLES && l->key == K_N) {
		v = strtod(sc->tok, &end);
		/* jansson refuses what strtod does not take whole */
		if (!sc->key_long && *end == '\0' && v >= 0)
			sc->entry_n = v;
	}
	value_end(sc);
}

static int scan_char(struct scan *sc, int c)
{
	struct level *l;
	int r;

	sc->bytes++;
	if (c == '\n')
		sc->line++;
	switch (sc->lex) {
	case L_STR:
		return str_char(sc, c);
	case L_LIT:
		if (c != sc->lit[sc->litpos])
			return scan_fail(sc, "unexpected", c);
		if (!sc->lit[++sc->litpos]) {
			sc->lex = L_NONE;
			value_end(sc);
		}
		return 0;
	case L_NUM:
		if (c && strchr("0123456789+-.eE", c)) {
			tok_add(sc, (unsigned int)c);
			return 0;
		}
		num_end(sc);
		break;	/* c is the character after the number */
	case L_NONE:
		break;
	}
	l = top(sc);
	switch (c) {
	case ' ': case '\t': case '\n': case '\r':
		return 0;
	case '{': case '[':
		return open_container(sc, c == '{', c);
	case '}': case ']':
		return close_container(sc, c == '}', c);
	case ':':
		if (!l || !l->obj || l->state != S_COLON)
			return scan_fail(sc, "unexpected", c);
		l->state = S_VALUE;
		return 0;
	case ',':
		if (!l || l->state != S_AFTER)
			return scan_fail(sc, "unexpected", c);
		l->state = S_NEXT;
		return 0;
	case '"':
		sc->toklen = 0;
		sc->tok[0] = '\0';
		sc->key_long = false;
		sc->esc = false;
		sc->uhex = 0;
		sc->str_is_key = l && l->obj &&
			(l->state == S_FIRST || l->state == S_NEXT);
		if (!sc->str_is_key && (r = value_start(sc, c)))
			return r;
		sc->lex = L_STR;
		return 0;
	case 't': case 'f': case 'n':
		if ((r = value_start(sc, c)))
			return r;
		sc->lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
		sc->litpos = 1;
		sc->lex = L_LIT;
		return 0;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			if ((r = value_start(sc, c)))
				return r;
			sc->toklen = 0;
			sc->key_long = false;
			tok_add(sc, (unsigned int)c);
			sc->lex = L_NUM;
			return 0;
		}
		return scan_fail(sc, "unexpected", c);
	}
}

static int prescan(struct src *s, struct scan *sc, char *err, size_t errlen,
		   const char *path)
{
	const unsigned char *p;
	ssize_t n;
	int r = 0;

	memset(sc, 0, sizeof(*sc));
	sc->line = 1;
	while ((n = src_next(s, &p)) > 0) {
		if (sc->bytes + (size_t)n > EB_LOAD_MAX_TEXT) {
			snprintf(err, errlen, "%s: more than %u MiB of JSON: too large for this exitbench",
				 path, EB_LOAD_MAX_TEXT >> 20);
			return -EFBIG;
		}
		for (ssize_t i = 0; i < n && !r; i++)
			r = scan_char(sc, p[i]);
		if (r) {
			snprintf(err, errlen, "%s: %s", path, sc->msg);
			return r;
		}
	}
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, s->msg);
		return s->err;
	}
	if (sc->lex == L_NUM && !sc->depth)
		num_end(sc);
	if (sc->lex != L_NONE || sc->depth || !sc->root_done) {
		scan_fail(sc, "unexpected end of input", -1);
		snprintf(err, errlen, "%s: %s", path, sc->msg);
		return -EINVAL;
	}
	return 0;
}

static size_t jansson_cb(void *buf, size_t len, void *data)
{
	struct src *s = data;
	ssize_t n;

	/* A piece at a time: jansson asks for at most its own buffer size. */
	if (!s->pending_len) {
		n = src_next(s, &s->pending);
		if (n <= 0)
			return n < 0 ? (size_t)-1 : 0;
		s->pending_len = (size_t)n;
	}
	n = (ssize_t)(len < s->pending_len ? len : s->pending_len);
	memcpy(buf, s->pending, (size_t)n);
	s->pending += n;
	s->pending_len -= (size_t)n;
	return (size_t)n;
}

int results_read(const char *path, json_t **out, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	struct scan *sc;
	struct src *s;
	json_error_t jerr;
	size_t len = 0;
	int r;

	*out = NULL;
	r = read_all(path, &buf, &len, err, errlen);
	if (r)
		return r;
	s = malloc(sizeof(*s));
	sc = malloc(sizeof(*sc));
	r = s && sc ? src_open(s, buf, len) : -ENOMEM;
	if (r) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	r = prescan(s, sc, err, errlen, path);
	src_close(s);
	if (r)
		goto out;
	r = src_open(s, buf, len);
	if (r) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	*out = json_load_callback(jansson_cb, s, JSON_REJECT_DUPLICATES, &jerr);
	src_close(s);
	if (!*out) {
		snprintf(err, errlen,
			 "%s: not a valid results file (truncated or not JSON): line %d: %s",
			 path, jerr.line, jerr.text);
		r = -EINVAL;
	}
out:
	free(s);
	free(sc);
	free(buf);
	return r;
}
