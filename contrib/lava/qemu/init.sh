#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the LAVA QEMU ramdisk (contrib/lava/qemu/mkramdisk): busybox,
# exitbench and kvm-amd, then a root shell on the console for LAVA's
# lava-test-shell (the overlay LAVA appends lands in /lava-<job>).
/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2> /dev/null
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TMPDIR=/tmp
mkdir -p /root
# Order written by mkramdisk (dependencies first).
while read -r m; do
	insmod "/lib/kvm/$m.ko" || echo "exitbench-lava: insmod $m failed"
done < /etc/kvm-modules
[ -c /dev/kvm ] && echo "exitbench-lava: /dev/kvm ready" ||
	echo "exitbench-lava: no /dev/kvm (is SVM in the QEMU CPU model?)"
export PS1='exitbench-lava:$PWD# '
cd /root || exit 1
# isolcpus takes the isolated CPU out of everyone's default affinity;
# exitbench must be allowed every CPU to pin its vCPU thread there.  A
# controlling terminal (cttyhack), so LAVA's interrupts reach the shell.
exec taskset -c "$(cat /sys/devices/system/cpu/present)" \
	setsid cttyhack /bin/sh -i
