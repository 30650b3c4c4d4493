#!/bin/sh
# mkiso.sh KERNEL_ELF OUT_ISO [CMDLINE...]
# Build a GRUB (BIOS + UEFI) multiboot2 ISO of KERNEL_ELF whose grub.cfg
# passes CMDLINE to the kernel. Each test configuration builds its own.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 KERNEL_ELF OUT_ISO [CMDLINE...]" >&2; exit 2; }
kernel=$1 out=$2
shift 2
cmdline="$*"
case "$cmdline" in
*'"'* | *'\'* | *'$'* | *';'* | *'|'* | *'&'*) echo "mkiso: quote, backslash, $, ;, | or & not allowed in the command line" >&2; exit 2 ;;
esac
root=$(dirname "$0")/..
staging=$(mktemp -d "${TMPDIR:-/tmp}/memdesc-iso.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/boot/grub"
cp "$kernel" "$staging/boot/kernel.elf"
sed "s|@CMDLINE@|$cmdline|" "$root/boot/grub.cfg.in" > "$staging/boot/grub/grub.cfg"
grub-mkrescue -o "$out.tmp" "$staging" >"$staging.log" 2>&1 || { cat "$staging.log" >&2; rm -f "$staging.log"; exit 1; }
rm -f "$staging.log"
mv "$out.tmp" "$out"
