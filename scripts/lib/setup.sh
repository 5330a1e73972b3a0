# SPDX-License-Identifier: GPL-2.0-only
# Shared set-up for scripts/run and scripts/test: install what is missing
# from Debian, then configure and build build/.  Sourced, not executed.

# What `scripts/run` needs: compiler, build system, libraries.
EB_PKGS_RUN=(
	gcc libc6-dev binutils meson ninja-build pkg-config
	libjansson-dev libhwloc-dev libpfm4-dev zlib1g-dev
)
# What `scripts/test` needs on top: reference statistics, APX-capable
# disassembler, kernel base and build dependencies, QEMU for vmtest,
# gnuplot for plot tests, LAVA's schemas for contrib/lava.
EB_PKGS_TEST=(
	python3 python3-numpy python3-scipy
	llvm-19 clang-19
	linux-source-6.12 make bc bison flex libelf-dev libssl-dev patch
	xz-utils cpio kmod perl git
	qemu-system-x86 busybox-static
	gnuplot-nox shellcheck
	lava-common
)

eb_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# eb_install_packages PKG...: apt-get install whichever are not installed.
eb_install_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		printf '%s: missing Debian packages; as root run:\n  apt-get install -y --no-install-recommends %s\n' \
			"${0##*/}" "${missing[*]}" >&2
		exit 1
	fi
	printf '%s: installing %s\n' "${0##*/}" "${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine may have no package lists yet; update once, then retry.
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
		apt-get update -q >&2 || eb_die "apt-get update failed"
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
			eb_die "apt-get install ${missing[*]} failed"
	fi
}

# eb_build: configure build/ once, then compile (incremental).
eb_build() {
	local top=$1
	if [ ! -f "$top/build/build.ninja" ]; then
		meson setup "$top/build" "$top" >&2 || eb_die "meson setup failed (see build/meson-logs/meson-log.txt)"
	fi
	meson compile -C "$top/build" >&2 || eb_die "build failed"
}
