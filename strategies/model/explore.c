// SPDX-License-Identifier: GPL-2.0-only
/*
 * Breadth-first exploration of every event sequence of one machine.
 *
 * States are deduplicated by their packed value, so the search reaches a
 * fixpoint (the model is finite) unless a depth bound stops it first.
 * Because the search is breadth-first, the first time a violation kind shows
 * up its sequence is a shortest one.  A #UD ends its path; after any other
 * violation the path goes on, so that the search also finds what follows
 * from it and any other kind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

struct node {
	uint64_t key;
	uint32_t parent;	/* index of the predecessor; UINT32_MAX: root */
	uint32_t depth;
	uint16_t ev;
	uint8_t pc;
	bool skipped;
};

struct search {
	struct node *nodes;
	size_t n, cap;
	uint32_t *table;	/* open addressing: node index + 1, 0 = empty */
	size_t tcap;
};

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static int grow_table(struct search *sr)
{
	size_t ncap = sr->tcap ? sr->tcap * 2 : 4096;
	uint32_t *t = calloc(ncap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < sr->n; i++) {
		size_t h = mix(sr->nodes[i].key) & (ncap - 1);

		while (t[h])
			h = (h + 1) & (ncap - 1);
		t[h] = (uint32_t)i + 1;
	}
	free(sr->table);
	sr->table = t;
	sr->tcap = ncap;
	return 0;
}

/* Adds a node for key unless present; returns 1 if added, 0 if known. */
static int add(struct search *sr, const struct node *nd)
{
	size_t h;

	if ((sr->n + 1) * 2 > sr->tcap && grow_table(sr))
		return -ENOMEM;
	h = mix(nd->key) & (sr->tcap - 1);
	while (sr->table[h]) {
		if (sr->nodes[sr->table[h] - 1].key == nd->key)
			return 0;
		h = (h + 1) & (sr->tcap - 1);
	}
	if (sr->n == sr->cap) {
		size_t ncap = sr->cap ? sr->cap * 2 : 4096;
		struct node *nn = realloc(sr->nodes, ncap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		sr->nodes = nn;
		sr->cap = ncap;
	}
	sr->table[h] = (uint32_t)sr->n + 1;
	sr->nodes[sr->n++] = *nd;
	return 1;
}

static int record(struct search *sr, uint32_t from, const struct node *last,
		  const struct verdict *v, struct explore_result *r)
{
	int k = vio_index(v->kind);
	struct found *fd = &r->found[k];
	uint32_t depth = last->depth, i = depth;

	fd->trace = calloc(depth, sizeof(*fd->trace));
	if (!fd->trace)
		return -ENOMEM;
	fd->depth = depth;
	fd->v = *v;
	fd->trace[--i] = (struct trace_ent){ last->ev, last->pc, last->skipped, last->key };
	for (uint32_t n = from; sr->nodes[n].parent != UINT32_MAX; n = sr->nodes[n].parent) {
		const struct node *nd = &sr->nodes[n];

		fd->trace[--i] = (struct trace_ent){ nd->ev, nd->pc, nd->skipped, nd->key };
	}
	r->found_mask |= v->kind;
	return 0;
}

int explore(const struct machine *m, uint32_t depth_bound, struct explore_result *r)
{
	struct search sr = { 0 };
	struct timespec t0, t1;
	struct mstate s, o;
	struct node root = { .parent = UINT32_MAX };
	int ret;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	machine_reset(m, &s);
	root.key = mstate_pack(&s);
	ret = add(&sr, &root);
	if (ret < 0)
		goto out;

	for (size_t i = 0; i < sr.n; i++) {
		struct node cur = sr.nodes[i];

		mstate_unpack(cur.key, &s);
		for (int ev = 0; ev < NR_EVENTS; ev++) {
			struct verdict v;
			struct note note;
			struct node nd;
			int rc = machine_next(m, &s, ev, &o, NULL, &v, &note);

			if (rc < 0)
				continue;
			r->transitions++;
			if (cur.depth >= depth_bound) {
				r->bounded = true;
				break;
			}
			nd = (struct node){ .key = mstate_pack(&o), .parent = (uint32_t)i,
					    .depth = cur.depth + 1, .ev = (uint16_t)ev,
					    .pc = s.pc, .skipped = note.skipped };
			if (rc > 0) {
				if (!(r->found_mask & v.kind)) {
					ret = record(&sr, (uint32_t)i, &nd, &v, r);
					if (ret)
						goto out;
				}
				if (v.fatal)
					continue;
			}
			ret = add(&sr, &nd);
			if (ret < 0)
				goto out;
			if (ret && nd.depth > r->max_depth)
				r->max_depth = nd.depth;
		}
	}
	ret = 0;
out:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	r->states = sr.n;
	free(sr.nodes);
	free(sr.table);
	return ret;
}

void explore_free(struct explore_result *r)
{
	for (int k = 0; k < NR_VIO_KINDS; k++) {
		free(r->found[k].trace);
		r->found[k].trace = NULL;
	}
}

static bool uses_cond(const struct machine *m, uint8_t c)
{
	for (int i = 0; i < m->nprog; i++)
		if ((m->prog[i].cond[0] & 0x7f) == c || (m->prog[i].cond[1] & 0x7f) == c)
			return true;
	return false;
}

static void print_state(FILE *f, const struct machine *m, const struct mstate *s)
{
	fprintf(f, "%*sXCR0 hw=%s guest=%s", 12, "", xcr0_name(s->hw_xcr0),
		xcr0_name(s->vcpu_xcr0));
	if (m->set.host_apx && m->st->fpstate_apx)
		fprintf(f, " | EGPR hw=%s fpu=%s", val_name(s->hw), val_name(s->fps));
	else if (m->set.host_apx)
		fprintf(f, " | EGPR hw=%s regs=%s", val_name(s->hw), val_name(s->regs));
	if (uses_cond(m, C_APX_FLAG))
		fprintf(f, " xcr0_apx=%u", s->flag);
	if (uses_cond(m, C_EXIT_PATH_SAVE))
		fprintf(f, " exit=%s", s->exit_path ? "apx" : "plain");
	fputc('\n', f);
}

/* Prints head then text, wrapped at 78 columns under the text's start. */
void print_wrapped(FILE *f, const char *head, const char *text)
{
	int indent = (int)strlen(head), col = indent;

	fputs(head, f);
	if (indent && head[indent - 1] != ' ') {
		fputc(' ', f);
		col = ++indent;
	}
	while (*text) {
		int w = (int)strcspn(text, " ");

		if (col > indent && col + 1 + w > 78) {
			fprintf(f, "\n%*s", indent + 2, "");
			col = indent + 2;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", w, text);
		col += w;
		text += w;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

void print_trace(FILE *f, const struct machine *m, const struct found *fd)
{
	struct mstate s, prev;
	char head[32], line[512];

	machine_reset(m, &prev);
	fprintf(f, "    shortest sequence, %u transitions (EGPR = R16-R31: G guest's current\n"
		"    values, g stale guest, H host's, J host kernel scratch, 0 cleared):\n",
		fd->depth);
	for (uint32_t i = 0; i < fd->depth; i++) {
		const struct trace_ent *t = &fd->trace[i];
		bool last = i + 1 == fd->depth;

		if (t->ev == EV_STEP) {
			const struct step *st = &m->prog[t->pc];

			snprintf(head, sizeof(head), "    %3u  %-5s", i + 1, st->c ? "C" : "asm");
			snprintf(line, sizeof(line), "%s: %s%s", m->hook[t->pc], st->text,
				 t->skipped ? "  [not taken]" : "");
		} else {
			snprintf(head, sizeof(head), "    %3u  %-5s", i + 1, t->ev == EV_NMI ? "NMI" :
				 t->ev >= EV_U_RUN ? "user" : "gst");
			snprintf(line, sizeof(line), "%s", event_name(t->ev));
		}
		print_wrapped(f, head, line);
		if (last)
			break;
		mstate_unpack(t->after, &s);
		if (!t->skipped &&
		    (s.hw_xcr0 != prev.hw_xcr0 || s.vcpu_xcr0 != prev.vcpu_xcr0 ||
		     s.hw != prev.hw || s.regs != prev.regs || s.fps != prev.fps ||
		     s.flag != prev.flag || s.exit_path != prev.exit_path))
			print_state(f, m, &s);
		prev = s;
	}
	snprintf(line, sizeof(line), "%s: %s", vio_what(fd->v.kind), fd->v.detail);
	print_wrapped(f, "    ==> ", line);
}
