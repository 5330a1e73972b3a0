// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's binary per-vCPU statistics (KVM_GET_STATS_FD): the "exits" counter
 * read before and after a test tells whether the measured instruction
 * really exited once per iteration.  Best effort: kernels before 5.14, or
 * a flavor that does not count, simply leave the check unavailable.
 */
#include <errno.h>
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
	for (uint32_t i = 0; i < h.num_desc; i++) {
		d = (struct kvm_stats_desc *)(descs + i * dsz);
		if (!strncmp(d->name, "exits", h.name_size) && d->size == 1) {
			vm->stats_fd = fd;
			vm->stats_exits_off = h.data_offset + d->offset;
			break;
		}
	}
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
