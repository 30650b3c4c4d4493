#!/usr/bin/env python3
"""Write the seed corpus tests/fuzz/corpus/NAME/ (a handful of small files
per target). Deterministic: rerunning rewrites the same files. The op
encodings are those of each tests/fuzz/fuzz_NAME.c."""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, seeds):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    for i, data in enumerate(seeds):
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(data)


def mb2(tags):
    body = b""
    for typ, payload in tags + [(0, b"")]:
        t = struct.pack("<II", typ, 8 + len(payload)) + payload
        body += t + b"\0" * (-len(t) % 8)
    return struct.pack("<II", 8 + len(body), 0) + body


def mmap_tag(entries):
    return struct.pack("<II", 24, 0) + b"".join(
        struct.pack("<QQII", base, length, typ, 0) for base, length, typ in entries)


def main():
    rnd = random.Random(1)
    rand = lambda n: bytes(rnd.randrange(256) for _ in range(n))  # noqa: E731
    write("multiboot", [
        mb2([(1, b"test=all loglevel=7\0"), (2, b"GRUB 2.06\0"),
             (6, mmap_tag([(0, 0x9fc00, 1), (0x100000, 0x1ff00000, 1), (0xfffc0000, 0x40000, 2)])),
             (14, b"RSD PTR " + rand(12))]),
        mb2([(1, b"\0")]),
        mb2([(6, mmap_tag([(0, 1 << 40, 1)]))]),
        mb2([]),
    ])
    write("argv", [b"\x05test=all loglevel=7", b"\x03map \"a b\" c", b"\x10help",
                   b"\x02a b c d", b"\x04x=\"unterminated", b"\x08\tcompact  9\r\n"])
    # buddy: op%8: 0-2 alloc(a, slot), 3-4 free(slot), 5 alloc_pfn(u16, slot), 6 drain, 7 check
    write("buddy", [bytes([0, 0x00, 1, 0, 0x19, 2, 1, 6, 3, 1, 7]),
                    bytes([0, 0x0a, 0, 0, 0x09, 1, 0, 0x1a, 2, 7, 3, 0, 3, 1, 6, 7]),
                    bytes([5, 0x10, 0x00, 3, 5, 0x11, 0x00, 4, 6, 7]), rand(64), rand(200)])
    # migrate: 0-2 test alloc(a, 4 script bytes), 3 free, 4 kernel, 5 migrate, 6 compact, 7 check
    write("migrate", [bytes([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4, 1, 5, 0x84, 1, 0, 3, 0, 7]),
                      bytes([0, 0x12, 4, 4, 0, 0, 6, 0xcb, 7]),
                      bytes([0, 0x01, 0x24, 0x36, 0, 0, 4, 5, 6, 0x8b, 7]), rand(80), rand(160)])
    # mslab: 0-2 alloc(slot, u16 size, seed), 3-4 free, 5 map, 6 unmap, 7 compact, 8 migrate/compact, 9 check
    write("mslab", [bytes([0, 1, 40, 0, 7, 0, 2, 0x00, 0x90, 9, 5, 1, 6, 1, 7, 9]),
                    bytes([0, 3, 200, 0, 1, 3, 3, 8, 1, 9]),
                    bytes([0, 4, 0, 0x90, 2, 5, 4, 8, 0, 2, 4, 4, 9, 6, 4]), rand(100), rand(200)])
    # xarray: first byte < 64 -> fail mask; then 0-1 store, 2 insert, 3-4 erase, 5 load, 6 iterate, 7 check
    write("xarray", [bytes([0xff, 0, 0, 5, 1, 0, 0x12, 7, 0, 0, 6, 0, 3, 0x20, 7]),
                     bytes([0xff, 2, 0x1a, 1, 9, 0, 2, 0x1a, 1, 9, 0, 6, 0x00, 0, 4, 0, 7]),
                     bytes([0x10, 0xff, 0xff, 0xff, 0x0f, 0, 0x2b, 1, 1, 0, 7]), rand(120)])
    # virtqueue: first byte: ring size; 0-1 add, 2-3 honest, 4 lie, 5-7 get
    write("virtqueue", [bytes([4, 0, 0x05, 3, 4, 2, 9, 9, 9, 9, 5, 5]),
                        bytes([2, 0, 0x01, 1, 0, 0x04, 2, 2, 0, 0, 0, 0, 5, 4, 0x02, 9, 5]),
                        bytes([8, 0, 0x07, 1, 2, 3, 4, 0x04, 0x00, 0x00, 0x10, 5]), rand(100)])
    # balloon: features/async/policy byte, fault_after, batch, then ops
    # (0-2 num_pages, 3 oom deflate, 4 report, 5 stats, 6 compact, 7 kernel page)
    write("balloon", [bytes([0x01, 255, 31, 0, 0x80, 1, 0, 0x00, 0, 0]),
                      bytes([0x0f, 255, 15, 0, 0x00, 2, 3, 50, 4, 2, 5, 6, 0, 0x00, 0]),
                      bytes([0x15, 1, 7, 0, 0x40, 1, 0x20, 0, 0x60, 0, 0, 0]),
                      bytes([0x23, 0, 0, 0, 0x10, 1, 7, 1, 6, 0, 0, 0]), rand(64)])


if __name__ == "__main__":
    main()
