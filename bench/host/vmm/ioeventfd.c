// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_IOEVENTFD for the *_ioeventfd tests: a port and an MMIO address
 * whose guest writes KVM completes in the kernel by signalling an
 * eventfd, the way virtio notifications reach a vhost backend, instead
 * of returning to the VMM.  The eventfd's counter (read and reset here)
 * says how many writes KVM signalled: one per timed iteration.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"
#include "exitbench_apx.h"

/* The APX uABI check's OUT must not land in the eventfd. */
_Static_assert(EB_PORT_EVENTFD != EB_PORT_APX_UABI, "port clash");
_Static_assert(sizeof(struct kvm_ioeventfd) == _IOC_SIZE(KVM_IOEVENTFD),
	       "kvm_ioeventfd");

static int assign(struct eb_vm *vm, int *fd, uint64_t addr, uint32_t len,
		  uint32_t flags, const char *what)
{
	struct kvm_ioeventfd io;
	int e;

	*fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (*fd < 0) {
		e = errno;
		snprintf(vm->ioeventfd_err, sizeof(vm->ioeventfd_err),
			 "eventfd: %s", strerror(e));
		return -e;
	}
	memset(&io, 0, sizeof(io));
	io.addr = addr;
	io.len = len;
	io.fd = *fd;
	io.flags = flags;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io)) {
		e = errno;
		snprintf(vm->ioeventfd_err, sizeof(vm->ioeventfd_err),
			 "KVM_IOEVENTFD (%s %#llx) failed: %s", what,
			 (unsigned long long)addr, strerror(e));
		close(*fd);
		*fd = -1;
		return -e;
	}
	return 0;
}

int vm_ioeventfd_setup(struct eb_vm *vm)
{
	int r;

	vm->evfd_pio = vm->evfd_mmio = -1;
	vm->ioeventfd_err[0] = '\0';
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0) {
		snprintf(vm->ioeventfd_err, sizeof(vm->ioeventfd_err),
			 "KVM_CAP_IOEVENTFD not offered");
		return -EOPNOTSUPP;
	}
	/* port: the access size must match (OUTB: 1); no datamatch */
	r = assign(vm, &vm->evfd_pio, EB_PORT_EVENTFD, 1,
		   KVM_IOEVENTFD_FLAG_PIO, "port");
	if (r)
		return r;
	/* MMIO: length 0 matches any write to the address (KVM's fast MMIO bus) */
	r = assign(vm, &vm->evfd_mmio, EB_GPA_MMIO_EVENTFD, 0, 0, "MMIO");
	if (r) {
		close(vm->evfd_pio);
		vm->evfd_pio = -1;
	}
	return r;
}

void vm_ioeventfd_close(struct eb_vm *vm)
{
	if (vm->evfd_pio >= 0)
		close(vm->evfd_pio);
	if (vm->evfd_mmio >= 0)
		close(vm->evfd_mmio);
	vm->evfd_pio = vm->evfd_mmio = -1;
}

/* The eventfd @id's test signals, or -1 if it has none. */
static int fd_of(struct eb_vm *vm, enum eb_test_id id)
{
	switch (id) {
	case EB_T_PIO_USER_IOEVENTFD:
		return vm->evfd_pio;
	case EB_T_MMIO_USER_IOEVENTFD:
		return vm->evfd_mmio;
	default:
		return -1;
	}
}

int vm_ioeventfd_take(struct eb_vm *vm, enum eb_test_id id, uint64_t *count)
{
	int fd = fd_of(vm, id);
	uint64_t v;

	*count = 0;
	if (fd < 0)
		return -ENOENT;
	if (read(fd, &v, sizeof(v)) == sizeof(v)) {
		*count = v;
		return 0;
	}
	return errno == EAGAIN ? 0 : -errno;	/* EAGAIN: counter is 0 */
}
