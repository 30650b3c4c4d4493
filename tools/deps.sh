#!/bin/sh
# deps.sh: install the Debian packages the build, `make run` and `make test`
# need, if any is missing. Runs apt-get update first; as root or via sudo.
# Exits non-zero with a clear message when it cannot.
set -u
# package:command-or-file that proves it is installed (a glob may match it;
# libclang-rt-14-dev holds libFuzzer and the ThreadSanitizer runtime of
# `make tsan`, only recommended by clang)
needs="
qemu-system-x86:/usr/bin/qemu-system-x86_64
grub-pc-bin:/usr/lib/grub/i386-pc/moddep.lst
grub-efi-amd64-bin:/usr/lib/grub/x86_64-efi/moddep.lst
grub-common:/usr/bin/grub-mkrescue
xorriso:/usr/bin/xorriso
mtools:/usr/bin/mformat
ovmf:/usr/share/OVMF/OVMF_CODE_4M.fd
gdb:/usr/bin/gdb
clang:/usr/bin/clang
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a
python3-matplotlib:/usr/lib/python3/dist-packages/matplotlib/__init__.py
"
missing=""
for n in $needs; do
	pkg=${n%%:*}
	path=${n#*:}
	# shellcheck disable=SC2086 # $path may be a glob
	ls -d $path >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -n "$missing" ] || exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps: missing packages:$missing; run as root or install them with apt-get" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: no apt-get on this machine; install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! $sudo apt-get update >"$log" 2>&1 || ! $sudo apt-get install -y --no-install-recommends $missing >>"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "deps: apt-get failed installing:$missing (log above)" >&2
	rm -f "$log"
	exit 1
fi
rm -f "$log"
echo "deps: done"
