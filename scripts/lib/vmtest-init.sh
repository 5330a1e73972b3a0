#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the vmtest initramfs (busybox sh, PID 1 inside the QEMU VM).
# Loads KVM, runs exitbench, sends its output through the results channel
# (vmtest-channel.sh), then powers off.  Whatever goes wrong is reported as
# one FAIL event, so the host can name the reason instead of timing out.
#
# Inputs written by the host (scripts/lib/vmtest.sh, vm_initramfs):
#   /vmtest/config   VMT_TIMEOUT (seconds for exitbench), VMT_DEADLINE (the
#                    same as epoch seconds), VMT_MODULES (insmod order,
#                    names of /vmtest/modules/<name>.ko)
#   /vmtest/args     exitbench run arguments, one per line

/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp TMPDIR=/tmp

# Both are written into the initramfs by the host (vmtest-channel.sh, config).
# shellcheck disable=SC1091
. /vmtest/channel.sh
# shellcheck disable=SC1091
. /vmtest/config

# The kernel panics when init exits; -no-reboot turns that into QEMU exiting,
# so powering off is only the tidy path.
finish() {
	sync
	poweroff -f
}

fail() {
	vmc_say FAIL "$*"
	dmesg > /tmp/dmesg 2>&1 && vmc_send dmesg /tmp/dmesg
	finish
}

vmc_open || fail "cannot configure results channel $VMC_DEV"
vmc_say INIT "$(uname -r)" "$(cut -d' ' -f1 /proc/uptime)"

for m in $VMT_MODULES; do
	if ! out=$(insmod "/vmtest/modules/$m.ko" 2>&1); then
		fail "KVM not available inside the VM: insmod $m: $out" \
			"($(dmesg | tail -n 1))"
	fi
done
[ -c /dev/kvm ] || fail "KVM not available inside the VM: no /dev/kvm" \
	"(modules: ${VMT_MODULES:-none}; is SVM in the QEMU CPU model?)"
kvm_mod=none
for m in kvm_amd kvm_intel; do
	[ -d "/sys/module/$m" ] && kvm_mod=$m
done
vmc_say KVM "$kvm_mod" "$(cut -d' ' -f1 /proc/uptime)"

set --
once=1
while IFS= read -r a; do
	case $a in --repeat|--repeat=*|--strategies|--strategies=*) once=0 ;; esac
	set -- "$@" "$a"
done < /vmtest/args
# TCG's cycles are emulator cycles: a vmtest run checks that every exit
# works, so one run per test unless asked (--strategies has its rounds).
[ $once = 0 ] || set -- --repeat 1 "$@"

# exitbench labels its numbers kvm.emulated "tcg" by itself: it reads the
# hypervisor signature QEMU's TCG puts in CPUID 0x40000000 (TCGTCGTCGTCG).
cd /tmp || fail "no /tmp"
# isolcpus (see vm_boot) takes the isolated CPU out of everyone's default
# affinity; exitbench must be allowed every CPU to pin its vCPU thread there.
cpus=$(cat /sys/devices/system/cpu/present)
# Whatever is left of the host's bound (VMT_DEADLINE, wall clock), unless
# the guest clock was not set from the RTC: then the plain VMT_TIMEOUT.
limit=$VMT_TIMEOUT
now=$(date +%s)
if [ "$now" -gt 1000000000 ] && [ $((VMT_DEADLINE - now)) -lt "$limit" ]; then
	limit=$((VMT_DEADLINE - now))
fi
[ "$limit" -gt 0 ] || fail "the --timeout bound ran out while the VM booted"
rc=0
timeout -s KILL "$limit" taskset -c "$cpus" /usr/bin/exitbench run \
	--out /tmp/results.json "$@" > /tmp/stdout 2> /tmp/stderr || rc=$?
vmc_send stdout /tmp/stdout
vmc_send stderr /tmp/stderr
if [ -f /tmp/results.json ]; then
	vmc_send results /tmp/results.json
fi
if [ "$rc" -eq 137 ]; then
	fail "exitbench did not finish within $limit s inside the VM"
fi
vmc_say EXIT "$rc" "$(cut -d' ' -f1 /proc/uptime)"
finish
