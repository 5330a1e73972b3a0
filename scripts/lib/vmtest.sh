# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Globals set here (VM_K*, VM_QEMU_PID) are read by the sourcing script.
# shellcheck disable=SC2034
# vmtest building blocks, sourced by scripts/vmtest and tests/vmtest:
#   vm_stock_kernel  fetch + cache Debian's stock kernel (vmlinux + modules)
#   vm_module_order  insmod order for KVM from a module directory
#   vm_initramfs     busybox + exitbench (+ its libraries) + modules + /init
#   vm_boot          QEMU TCG run with a boot timeout and a total deadline
#   vm_collect       decode the results channel into files
# Each step takes plain paths, so a kernel built elsewhere (scripts/kvariant)
# boots the same way as the stock one.  Failures call vm_die: one line.

VM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TAG=EXITBENCH-VMTEST
# Total wall-clock deadline (bash SECONDS); set by the caller via vm_deadline.
VM_DEADLINE=
VM_KEEP_HINT=

vm_die() {
	printf 'vmtest: error: %s%s\n' "$*" "${VM_KEEP_HINT:+ ($VM_KEEP_HINT)}" >&2
	exit 1
}

vm_log() { printf 'vmtest: %s\n' "$*" >&2; }

# vm_stage NAME: record how far a run got (kernel, boot, kvm, results) in
# $VMTEST_STAGE_FILE, for the summary of scripts/vmtest --all.
vm_stage() {
	if [ -n "${VMTEST_STAGE_FILE:-}" ]; then
		echo "$1" >> "$VMTEST_STAGE_FILE"
	fi
	return 0
}

# vm_deadline SEC [OPTION]: everything from now on must end within SEC
# seconds; OPTION (default --timeout) is the option that set the bound.
vm_deadline() { VM_DEADLINE=$((SECONDS + $1)); VM_TIMEOUT=$1; VM_BOUND=${2:---timeout}; }

# vm_left [WHAT]: set VM_LEFT to the seconds left before the deadline
# (dies, naming WHAT, when none are).  Not for $(...): it must die here.
vm_left() {
	VM_LEFT=$((VM_DEADLINE - SECONDS))
	[ "$VM_LEFT" -gt 0 ] || vm_die "timed out: the ${VM_TIMEOUT} s bound ($VM_BOUND) ran out${1:+ while $1}"
}

# vm_apt_resolve: print the stock kernel's package name and version
# ("linux-image-6.1.0-NN-amd64-unsigned 6.1.x-y").  The unsigned flavour
# has the same kernel and modules and is not tied to the shim chain.
vm_apt_resolve() {
	local dep pkg ver
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }') || true
	[ -n "$dep" ] || return 1
	for pkg in "$dep-unsigned" "$dep"; do
		ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
			sed -n 's/^Version: //p' | head -n 1) || true
		if [ -n "$ver" ]; then
			echo "$pkg $ver"
			return 0
		fi
	done
	return 1
}

# vm_stock_kernel CACHE: make sure Debian's stock kernel is unpacked under
# CACHE/vmtest/stock/<pkg>_<ver>/ and set VM_KIMAGE (what to boot),
# VM_KBZIMAGE, VM_KMODDIR, VM_KRELEASE.
# Only the boot image and the KVM-related modules are unpacked (~5 MB of the
# ~400 MB package); the bzImage is turned into a PVH vmlinux once.
vm_stock_kernel() {
	local cache=$1/vmtest/stock pkg ver dir tmp deb rel
	local pkgver=${EXITBENCH_VMTEST_KPKG:-}
	mkdir -p "$cache" || vm_die "cannot create cache directory $cache"
	exec {lockfd}> "$cache/.lock"
	vm_left 'waiting for the kernel cache lock'
	flock -w "$VM_LEFT" "$lockfd" ||
		vm_die "kernel cache $cache is locked by another vmtest for too long"

	if [ -z "$pkgver" ]; then
		pkgver=$(vm_apt_resolve) ||
			if [ "$(id -u)" -eq 0 ] && [ ! -e "$cache/.apt-updated" ]; then
				vm_log "no kernel package in apt's lists; running apt-get update"
				vm_left 'running apt-get update'
				timeout "$VM_LEFT" apt-get update -q >&2 ||
					vm_die "apt-get update failed"
				touch "$cache/.apt-updated"
				pkgver=$(vm_apt_resolve)
			fi || true
	fi
	if [ -z "$pkgver" ]; then
		# Offline: fall back to the newest kernel already in the cache.
		dir=$(find "$cache" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' |
			sort -V | tail -n 1)
		[ -n "$dir" ] || vm_die "cannot resolve Debian's linux-image-amd64 (apt lists missing? run apt-get update) and nothing is cached in $cache"
	else
		read -r pkg ver <<< "$pkgver"
		dir=$cache/${pkg}_${ver}
	fi

	# The bzImage is kept too: it is how kernels without CONFIG_PVH boot
	# (scripts/vmtest kernel), and tests/vmtest boots it that way.
	if [ ! -e "$dir/.complete" ] || [ ! -e "$dir/bzImage" ]; then
		tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
		vm_log "downloading $pkg $ver (once; cached in $cache)"
		vm_left "downloading $pkg"
		if ! (cd "$tmp" && timeout "$VM_LEFT" \
			apt-get download -q "$pkg=$ver" > "$tmp/apt.log" 2>&1); then
			local why
			why=$(tail -n 1 "$tmp/apt.log")
			rm -rf "$tmp"
			vm_die "apt-get download $pkg=$ver failed: $why"
		fi
		deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
		[ -n "$deb" ] || { rm -rf "$tmp"; vm_die "apt-get download produced no .deb"; }
		mkdir "$tmp/x"
		# KVM and everything it can depend on lives in these directories.
		if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" --wildcards \
			'./boot/vmlinuz-*' './boot/config-*' \
			'./lib/modules/*/kernel/arch/x86/kvm/*' \
			'./lib/modules/*/kernel/virt/*' \
			'./lib/modules/*/kernel/drivers/crypto/ccp/*'; then
			rm -rf "$tmp"
			vm_die "cannot unpack $deb"
		fi
		rel=$(find "$tmp/x/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -n 1)
		mkdir "$tmp/k"
		mv "$tmp/x/lib/modules/$rel/kernel" "$tmp/k/modules"
		mv "$tmp/x/boot/config-$rel" "$tmp/k/config"
		echo "$rel" > "$tmp/k/release"
		local rc=0
		python3 "$VM_LIB/vmtest-vmlinux.py" "$tmp/x/boot/vmlinuz-$rel" \
			"$tmp/k/vmlinux" || rc=$?
		case $rc in
		0) chmod 644 "$tmp/k/vmlinux" ;;
		3) ;;  # no PVH entry: boot the bzImage
		*) rm -rf "$tmp"; vm_die "cannot extract vmlinux from vmlinuz-$rel" ;;
		esac
		mv "$tmp/x/boot/vmlinuz-$rel" "$tmp/k/bzImage"
		touch "$tmp/k/.complete"
		rm -rf "$dir"
		mv "$tmp/k" "$dir"
		rm -rf "$tmp"
	fi
	exec {lockfd}>&-

	VM_KBZIMAGE=$dir/bzImage
	VM_KIMAGE=$dir/vmlinux
	[ -f "$VM_KIMAGE" ] || VM_KIMAGE=$VM_KBZIMAGE
	VM_KMODDIR=$dir/modules
	VM_KRELEASE=$(cat "$dir/release")
}

# vm_variant_kernel TOP STRATEGY CACHE WORK [KSRC [STANDIN]]: build a
# strategy variant's kernel with scripts/kvariant and copy what the boot
# needs into WORK/kernel: the PVH vmlinux when the config has CONFIG_PVH
# (else the bzImage) and the modules.  STANDIN (default 1) adds the APX
# stand-in and counter fragments.  Sets VM_KIMAGE and VM_KMODDIR.
#
# All variants share one build tree, CACHE/kernel/v6.12/vmtest: they differ
# only in arch/x86/kvm and a few headers, and kvariant rewrites only the
# files whose content changes, so switching variants rebuilds KVM and the
# few core objects that include kvm_host.h, then relinks (minutes), where a
# tree per variant would cost a full build each (~20 minutes on 2 cores).
# The lock keeps another vmtest from switching the tree between our build
# and our copy.
vm_variant_kernel() {
	local top=$1 s=$2 cache=$3 work=$4 ksrc=${5:-} standin=${6:-1} tree out line vmlinux='' bzimage=''
	local frags=(--config "$top/kernel-patches/v6.12/vmtest.config")
	[ "$standin" = 0 ] || frags+=(--config "$top/kernel-patches/v6.12/standin.config"
				     --config "$top/kernel-patches/v6.12/count.config")
	[ -x "$top/scripts/kvariant" ] ||
		vm_die "TARGET '$s': a strategy kernel needs scripts/kvariant, which this tree does not have"
	tree=$cache/kernel/v6.12/vmtest
	mkdir -p "$tree" || vm_die "cannot create $tree"
	local lockfd
	exec {lockfd}>"$tree.vmtest-lock"
	if ! flock -n "$lockfd"; then
		vm_log "waiting for another vmtest using $tree"
		vm_left "waiting for $tree"
		flock -w "$VM_LEFT" "$lockfd" || vm_die "timed out waiting for another vmtest using $tree"
	fi
	vm_left "building the $s kernel"
	vm_log "building the $s kernel with scripts/kvariant in $tree (first build: ~20 minutes on 2 cores; switching variants: minutes)"
	out=$(EXITBENCH_CACHE=$cache timeout "$VM_LEFT" "$top/scripts/kvariant" build "$s" --bzimage \
		"${frags[@]}" --out "$tree" ${ksrc:+--ksrc "$ksrc"}) || {
		# 124: timeout(1) stopped it; vm_left then names the bound.
		[ $? -ne 124 ] || vm_left "building the $s kernel"
		vm_die "scripts/kvariant build $s failed"
	}
	# kvariant prints "  <path>" for each artifact it built.
	while read -r line; do
		case $line in
		*/arch/x86/boot/bzImage) bzimage=$line ;;
		*/vmlinux) vmlinux=$line ;;
		esac
	done <<< "$out"
	[ -n "$bzimage" ] || vm_die "scripts/kvariant build $s named no bzImage"
	local dest=$work/kernel
	mkdir -p "$dest/modules" || vm_die "cannot create $dest"
	if [ -n "$vmlinux" ] && python3 "$VM_LIB/vmtest-vmlinux.py" --check "$vmlinux"; then
		cp "$vmlinux" "$dest/vmlinux" || vm_die "cannot copy $vmlinux"
		VM_KIMAGE=$dest/vmlinux
	else
		cp "$bzimage" "$dest/bzImage" || vm_die "cannot copy $bzimage"
		VM_KIMAGE=$dest/bzImage
	fi
	(cd "${bzimage%/arch/x86/boot/bzImage}" && find . -name '*.ko' -print0 |
		cpio -0 -pdm --quiet "$dest/modules") || vm_die "cannot copy the $s modules"
	exec {lockfd}>&-
	VM_KMODDIR=$dest/modules
}

# vm_module_order MODDIR MODULE...: print, one per line, "name path" for the
# modules to insmod (dependencies first) so that MODULEs are loaded.  A
# MODULE not found in MODDIR is assumed built in and skipped.
vm_module_order() {
	local moddir=$1 f n
	shift
	declare -A vm_mod_path=() vm_mod_done=()
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%%.ko*}
		vm_mod_path[${n//-/_}]=$f
	done < <(find "$moddir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
	_vm_mod_visit() {
		local m=${1//-/_} d deps
		[ -z "${vm_mod_done[$m]:-}" ] || return 0
		vm_mod_done[$m]=1
		[ -n "${vm_mod_path[$m]:-}" ] || return 0
		deps=$(modinfo -F depends "${vm_mod_path[$m]}") ||
			vm_die "modinfo ${vm_mod_path[$m]} failed"
		for d in ${deps//,/ }; do
			_vm_mod_visit "$d"
		done
		echo "$m ${vm_mod_path[$m]}"
	}
	for n in "$@"; do
		_vm_mod_visit "$n"
	done
}

# vm_copy_elf ROOT FILE DEST: copy an executable into ROOT at DEST together
# with the shared libraries it needs (at the paths ldd names, so the dynamic
# loader finds them without a cache).
vm_copy_elf() {
	local root=$1 file=$2 dest=$3 line lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$file" "$root$dest" || vm_die "cannot copy $file"
	# ldd exits 1 for static binaries ("not a dynamic executable").
	while read -r line; do
		case $line in
		*"not found"*) vm_die "$file needs ${line%% *}, which is not installed" ;;
		*"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
		/*) lib=${line%% (*} ;;
		*) continue ;;
		esac
		if [ ! -e "$root$lib" ]; then
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib" || vm_die "cannot copy $lib"
		fi
	done < <(ldd "$file" 2>/dev/null || true)
}

# vm_initramfs OUT EXITBENCH MODDIR TIMEOUT [ARG...]: write the initramfs
# (uncompressed newc cpio: decompressing under TCG would cost seconds).
# MODDIR may be empty (KVM built in).  exitbench in the VM must end within
# TIMEOUT seconds from now.
vm_initramfs() {
	local out=$1 bench=$2 moddir=$3 timeout=$4 root name path mods=() a
	shift 4
	local busybox
	busybox=$(command -v busybox) || vm_die "busybox not found (Debian package busybox-static)"
	[ -x "$bench" ] || vm_die "exitbench binary $bench not found (build first: meson compile -C build)"
	root=$(mktemp -d "${out%/*}/.initramfs.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,vmtest/modules}
	vm_copy_elf "$root" "$busybox" /bin/busybox
	vm_copy_elf "$root" "$bench" /usr/bin/exitbench
	if [ -n "$moddir" ]; then
		local order
		# QEMU's TCG emulates SVM only, so kvm-amd is the module to load.
		order=$(vm_module_order "$moddir" kvm_amd) || exit 1
		while read -r name path; do
			[ -n "$name" ] || continue
			case $path in
			*.xz) xz -dc "$path" ;;
			*.zst) zstd -dc "$path" ;;
			*.gz) gzip -dc "$path" ;;
			*) cat "$path" ;;
			esac > "$root/vmtest/modules/$name.ko" ||
				vm_die "cannot unpack module $path"
			mods+=("$name")
		done <<< "$order"
	fi
	cp "$VM_LIB/vmtest-init.sh" "$root/init"
	chmod 755 "$root/init"
	cp "$VM_LIB/vmtest-channel.sh" "$root/vmtest/channel.sh"
	# VMT_DEADLINE: the same bound as wall-clock time, so the boot is not
	# counted twice (the guest clock starts from QEMU's RTC, the host's).
	printf 'VMT_TIMEOUT=%d\nVMT_DEADLINE=%d\nVMT_MODULES="%s"\n' "$timeout" \
		"$(($(date +%s) + timeout))" "${mods[*]}" > "$root/vmtest/config"
	: > "$root/vmtest/args"
	for a in "$@"; do
		case $a in
		*$'\n'*) vm_die "exitbench argument with a newline: not supported" ;;
		esac
		printf '%s\n' "$a" >> "$root/vmtest/args"
	done
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) > "$out.tmp" ||
		vm_die "cpio failed writing $out"
	mv "$out.tmp" "$out"
	rm -rf "$root"
}

# vm_boot KERNEL INITRD WORKDIR BOOT_TIMEOUT CPU MEM [APPEND]: boot under
# QEMU TCG; the console goes to WORKDIR/console.log and the results channel
# (second UART) to WORKDIR/channel.log.  Dies on boot timeout (/init did not
# report in), on the total deadline, or when QEMU itself fails.
vm_boot() {
	local kernel=$1 initrd=$2 work=$3 boot_timeout=$4 cpu=$5 mem=$6
	# Two vCPUs: exitbench's vCPU thread runs alone on CPU 1 (it is passed
	# --cpu 1), where nohz_full stops the scheduler tick.  That is not only
	# less noise: QEMU 7.2's TCG drops the STI interrupt shadow when a
	# #VMEXIT lands between STI and HLT, so KVM injects the wake-up IPI
	# before the HLT and the hlt test's vCPU then sleeps forever.  With the
	# 250 Hz tick on the vCPU's CPU this hung 3 of 3 runs of 20000 hlt
	# samples (kvm_exit trace: INTR exit at the HLT, VINTR, injection, then
	# an HLT exit with nothing pending); on a tickless CPU 0 of 3.
	# tsc=reliable: with two CPUs the guest kernel would mark the TSC
	# unstable (no invariant-TSC bit), and kvm-amd would then move TSC
	# offsets behind exitbench's back, breaking the one-way split.  TCG
	# derives every vCPU's TSC from the host's, so they are in sync.
	local iso="nohz_full=1 isolcpus=nohz,domain,1 rcu_nocbs=1 irqaffinity=0 tsc=reliable"
	local append="console=ttyS0 panic=-1 quiet $iso${7:+ $7}" qpid started=0 t0=$SECONDS
	command -v qemu-system-x86_64 > /dev/null ||
		vm_die "qemu-system-x86_64 not found (Debian package qemu-system-x86)"
	: > "$work/channel.log"
	# -no-reboot: a panic (e.g. /init died) ends QEMU instead of looping.
	qemu-system-x86_64 -accel tcg -cpu "$cpu" -m "$mem" -smp 2 \
		-nodefaults -no-user-config -display none -no-reboot \
		-monitor "unix:$work/monitor.sock,server=on,wait=off" \
		-serial "file:$work/console.log" -serial "file:$work/channel.log" \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		> "$work/qemu.log" 2>&1 &
	qpid=$!
	VM_QEMU_PID=$qpid
	while kill -0 "$qpid" 2>/dev/null; do
		if [ $started -eq 0 ] && grep -q "^$VM_TAG INIT" "$work/channel.log"; then
			started=1
			vm_stage boot
			vm_log "VM reached /init after $((SECONDS - t0)) s"
		fi
		if [ $started -eq 0 ] && [ $((SECONDS - t0)) -ge "$boot_timeout" ]; then
			kill "$qpid" 2>/dev/null
			wait "$qpid" 2>/dev/null || true
			vm_die "boot timeout: the VM did not reach /init within $boot_timeout s"
		fi
		if [ "$SECONDS" -ge "$VM_DEADLINE" ]; then
			vm_monitor_dump "$work" > "$work/cpu-state.txt" 2>&1 || true
			kill "$qpid" 2>/dev/null
			wait "$qpid" 2>/dev/null || true
			vm_die "timed out: the ${VM_TIMEOUT} s bound (--timeout) ran out while the VM was running"
		fi
		sleep 0.2
	done
	local rc=0
	wait "$qpid" || rc=$?
	VM_QEMU_PID=
	[ "$rc" -eq 0 ] || vm_die "qemu-system-x86_64 failed (exit $rc): $(tail -n 1 "$work/qemu.log")"
	grep -q "^$VM_TAG INIT" "$work/channel.log" ||
		vm_die "the VM stopped before /init ran: $(grep -m1 -E 'Kernel panic|error' "$work/console.log" || tail -n 1 "$work/console.log")"
	vm_log "VM ran for $((SECONDS - t0)) s"
}

# vm_monitor_dump WORKDIR: the vCPUs' registers from QEMU's monitor, for the
# logs of a VM that hung (a stuck guest cannot report anything itself).
vm_monitor_dump() {
	python3 - "$1/monitor.sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
for cmd in (b"info cpus\n", b"info registers -a\n", b"info irq\n"):
	s.sendall(cmd)
	time.sleep(1)
out = b""
try:
	while True:
		chunk = s.recv(65536)
		if not chunk:
			break
		out += chunk
except socket.timeout:
	pass
sys.stdout.write(out.decode(errors="replace"))
PY
}

# vm_collect WORKDIR: decode WORKDIR/channel.log into WORKDIR/out/ and print
# the guest's events (see vmtest-channel.py).
vm_collect() {
	mkdir -p "$1/out"
	python3 "$VM_LIB/vmtest-channel.py" "$1/channel.log" "$1/out"
}
