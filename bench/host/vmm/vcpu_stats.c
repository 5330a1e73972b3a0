// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's binary per-vCPU statistics (KVM_GET_STATS_FD): the "exits" counter
 * read before and after a test tells whether the measured instruction
 * really exited once per iteration.  Best effort: kernels before 5.14, or
 * a flavor that does not count, simply leave the check unavailable.
 *
 * Kernels with the APX strategies' counters (kernel-patches/README.md)
 * add cumulative u64 statistics named apx_* (apx_egpr_stores, apx_xsetbv,
 * ...): every one found is read, whatever its name, so that a counter the
 * kernel adds later is reported without a change here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"

int vcpu_stats_open(struct eb_vm *vm)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t dsz;
	char *descs;
	int fd;

	vm->stats_fd = -1;
	fd = ioctl(vm->vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return -errno;
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		goto err;
	dsz = sizeof(*d) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs)
		goto err;
	if (pread(fd, descs, h.num_desc * dsz, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsz)) {
		free(descs);
		goto err;
	}
	vm->napx_stats = 0;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		d = (struct kvm_stats_desc *)(descs + i * dsz);
		if (d->size != 1)
			continue;
		if (!strncmp(d->name, "exits", h.name_size)) {
			vm->stats_fd = fd;
			vm->stats_exits_off = h.data_offset + d->offset;
		} else if (!strncmp(d->name, "apx_", 4) &&
			   (d->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE &&
			   vm->napx_stats < EB_MAX_APX_STATS &&
			   strnlen(d->name, h.name_size) < sizeof(vm->apx_stat_names[0])) {
			unsigned int k = vm->napx_stats++;

			snprintf(vm->apx_stat_names[k], sizeof(vm->apx_stat_names[k]),
				 "%.*s", (int)h.name_size, d->name);
			vm->apx_stat_off[k] = h.data_offset + d->offset;
		}
	}
	if (vm->stats_fd < 0)
		vm->napx_stats = 0;
	free(descs);
	if (vm->stats_fd >= 0)
		return 0;
err:
	close(fd);
	return -ENOENT;
}

int vcpu_stats_exits(struct eb_vm *vm, uint64_t *exits)
{
	if (vm->stats_fd < 0)
		return -ENOENT;
	if (pread(vm->stats_fd, exits, sizeof(*exits), vm->stats_exits_off) !=
	    sizeof(*exits))
		return -EIO;
	return 0;
}

int vcpu_stats_counts(struct eb_vm *vm, struct eb_vcpu_counts *c)
{
	int r = vcpu_stats_exits(vm, &c->exits);

	for (unsigned int i = 0; !r && i < vm->napx_stats; i++)
		if (pread(vm->stats_fd, &c->apx[i], sizeof(c->apx[i]),
			  vm->apx_stat_off[i]) != sizeof(c->apx[i]))
			r = -EIO;
	return r;
}
