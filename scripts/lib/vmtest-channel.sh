# SPDX-License-Identifier: GPL-2.0-only
# Guest side of the vmtest results channel (busybox sh; sourced by the
# initramfs /init, and by tests/vmtest on the host to produce a channel log
# without booting).  The host decodes it with vmtest-channel.py.
#
# The channel is a serial port (ttyS1) that QEMU writes to a file: the 8250
# UART is built into every distribution kernel, so no virtio/9p module has to
# load before results can leave the VM.  The console (ttyS0) stays separate,
# so kernel messages never interleave with data.  Line format:
#   EXITBENCH-VMTEST <EVENT> <args...>
#   EXITBENCH-VMTEST FILE <name> <bytes> <sha256>, base64 lines, END <name>
# Size and SHA-256 let the host reject a truncated or garbled transfer.

VMC_TAG=EXITBENCH-VMTEST
: "${VMC_DEV:=/dev/ttyS1}"

# vmc_open: put the UART in raw mode (no CR insertion, no echo).
vmc_open() {
	if [ -c "$VMC_DEV" ]; then
		stty -F "$VMC_DEV" raw -echo 115200 || return 1
	fi
	return 0
}

# vmc_say EVENT ARGS...: one event line.
vmc_say() {
	echo "$VMC_TAG $*" >> "$VMC_DEV"
}

# vmc_send NAME FILE: one file, framed and checksummed.
vmc_send() {
	vmc_n=$(wc -c < "$2") || return 1
	vmc_sum=$(sha256sum < "$2") || return 1
	vmc_say FILE "$1" "$vmc_n" "${vmc_sum%% *}"
	base64 < "$2" >> "$VMC_DEV" || return 1
	vmc_say END "$1"
}
