#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The vmtest initramfs builder, without booting: KVM modules are found and
# ordered by their real dependencies (fake .ko files whose .modinfo says
# depends=...), compressed modules are unpacked, the binary comes with every
# library ldd names (proved by running it in a chroot of the tree when root),
# and /init, channel, config and argument files are in place.
#
# usage: initramfs_test.sh REPO_TOP BINARY
set -euo pipefail

top=$1 bin=$2
fails=0
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok   $what"
	else
		echo "FAIL $what"
		fails=$((fails + 1))
	fi
}

for t in busybox cpio modinfo "${CC:-cc}" xz; do
	command -v "$t" > /dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

# shellcheck source=scripts/lib/vmtest.sh
. "$top/scripts/lib/vmtest.sh"
vm_deadline 120
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fakemod PATH DEPENDS: an ELF object with only a .modinfo section, which is
# all modinfo reads.
fakemod() {
	mkdir -p "$(dirname "$1")"
	printf 'static const char m[] __attribute__((section(".modinfo"), used)) = "depends=%s\\0license=GPL";\n' "$2" |
		"${CC:-cc}" -x c -c -o "$1" -
}
moddir=$work/modules
fakemod "$moddir/kernel/arch/x86/kvm/kvm-amd.ko" kvm,ccp
fakemod "$moddir/kernel/arch/x86/kvm/kvm-intel.ko" kvm
fakemod "$moddir/kernel/arch/x86/kvm/kvm.ko" irqbypass
fakemod "$moddir/kernel/drivers/crypto/ccp/ccp.ko" ""
fakemod "$moddir/kernel/virt/lib/irqbypass.ko" ""
fakemod "$moddir/kernel/drivers/other.ko" kvm
cp "$moddir/kernel/virt/lib/irqbypass.ko" "$work/irqbypass.orig"
xz "$moddir/kernel/virt/lib/irqbypass.ko"

order=$(vm_module_order "$moddir" kvm_amd | cut -d' ' -f1 | tr '\n' ' ')
check "insmod order is deps first, nothing extra: '$order'" \
	test "$order" = "irqbypass kvm ccp kvm_amd "
order=$(vm_module_order "$moddir" kvm_amd kvm)
check "a module already scheduled is not listed twice" \
	test "$(echo "$order" | wc -l)" -eq 4
check "built-in module (absent) is skipped, not an error" \
	test -z "$(vm_module_order "$moddir" no_such_module)"

vm_initramfs "$work/initramfs.cpio" "$bin" "$moddir" 123 run --samples 10 "two words" ""
root=$work/root
mkdir "$root"
(cd "$root" && cpio -i -d --quiet < "$work/initramfs.cpio")

check "/init is vmtest-init.sh" cmp -s "$root/init" "$top/scripts/lib/vmtest-init.sh"
check "/init is executable" test -x "$root/init"
check "channel half is in place" cmp -s "$root/vmtest/channel.sh" "$top/scripts/lib/vmtest-channel.sh"
check "busybox is in place" cmp -s "$root/bin/busybox" "$(command -v busybox)"
check "the binary is /usr/bin/exitbench" cmp -s "$root/usr/bin/exitbench" "$bin"
check "config names timeout and modules in order" \
	test "$(grep -v '^VMT_DEADLINE=' "$root/vmtest/config")" = $'VMT_TIMEOUT=123\nVMT_MODULES="irqbypass kvm ccp kvm_amd"'
deadline=$(sed -n 's/^VMT_DEADLINE=//p' "$root/vmtest/config")
now=$(date +%s)
check "deadline is 123 s from now in wall-clock time ($deadline vs $now)" \
	test "$deadline" -ge $((now + 113)) -a "$deadline" -le $((now + 123))
check "arguments are one per line, spaces and empty ones kept" \
	cmp -s "$root/vmtest/args" <(printf '%s\n' run --samples 10 "two words" "")
check "compressed module is unpacked" cmp -s "$root/vmtest/modules/irqbypass.ko" "$work/irqbypass.orig"
check "kvm_intel and unrelated modules are left out" \
	test "$(cd "$root/vmtest/modules" && echo *)" = "ccp.ko irqbypass.ko kvm.ko kvm_amd.ko"
missing=$(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' | while read -r l; do
	[ -e "$root$l" ] || echo "$l"; done)
check "every library ldd names is in the tree${missing:+ (missing: $missing)}" test -z "$missing"
# The real proof that nothing is missing: the binary starts in the tree.
if [ "$(id -u)" -eq 0 ]; then
	check "the binary runs in a chroot of the tree" \
		chroot "$root" /usr/bin/exitbench --help > /dev/null
else
	echo "skip the binary runs in a chroot of the tree (needs root)"
fi

# Bad input fails with one line, not a broken image.
rc=0
msg=$( (vm_initramfs "$work/bad.cpio" "$bin" "" 10 $'a\nb') 2>&1) || rc=$?
check "an argument with a newline is refused ($msg)" test "$rc" -ne 0 -a ! -e "$work/bad.cpio"
rc=0
msg=$( (vm_initramfs "$work/bad.cpio" "$work/nope" "" 10) 2>&1) || rc=$?
check "a missing binary is refused ($msg)" test "$rc" -ne 0 -a ! -e "$work/bad.cpio"

[ "$fails" -eq 0 ]
