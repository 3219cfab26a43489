#!/usr/bin/env python3
"""Writes fuzzing seeds made from the fixtures into fuzz/seeds/<target>/.

Run from anywhere: `python3 fuzz/seed.py`. Only the standard library is
used; nothing here is committed as a corpus (see README.md).
"""

import hashlib
import pathlib
import struct
import zipfile

FUZZ = pathlib.Path(__file__).resolve().parent
FIXTURES = FUZZ.parent / "fixtures"
SEEDS = FUZZ / "seeds"
SMALL = 64 * 1024


def put(target, data):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def sections(elf):
    """(name, offset, size) of every section of a 64-bit little-endian ELF."""
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names_at = headers[shstrndx][4]
    for name, _type, _flags, _addr, offset, size in headers:
        end = elf.index(b"\0", names_at + name)
        yield elf[names_at + name:end].decode(), offset, size


def pointer_form_buildinfo():
    """A pre-1.18 blob: two pointers to Go string headers, read at address 0."""
    version, modinfo = b"go1.17.13", b"path\tcommand-line-arguments\n"
    header = b"\xff Go buildinf:" + bytes([8, 0]) + struct.pack("<QQ", 32, 48)
    strings = struct.pack("<QQ", 64, len(version)) + struct.pack("<QQ", 80, len(modinfo))
    return (header + strings + version).ljust(80, b"\0") + modinfo


def main():
    libraries = []
    for package in sorted((FIXTURES / "packages").glob("*.zip")):
        if package.stat().st_size <= SMALL:
            put("archive", package.read_bytes())
        with zipfile.ZipFile(package) as archive:
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename.endswith(".so"):
                    libraries.append((package.name, data))
                elif info.filename.endswith(".json"):
                    put("descriptor", data)
                elif info.filename.endswith((".yaml", ".yml")):
                    put("config", data)
    for name, library in libraries:
        if len(library) <= SMALL:
            put("elf", library)
        if library[:4] != b"\x7fELF" or library[4] != 2 or library[5] != 1:
            continue
        for section, offset, size in sections(library):
            if section == ".go.buildinfo":
                put("buildinfo", library[offset:offset + size])
        if name == "pulse.zip":
            # The first byte picks the Go release (0 = go1.25.4).
            put("gotypes", b"\0" + library)
    put("buildinfo", pointer_form_buildinfo())
    for path in (FIXTURES / "plugins").rglob("*"):
        if path.suffix == ".json":
            put("descriptor", path.read_bytes())
        elif path.suffix in (".yaml", ".yml"):
            put("config", path.read_bytes())
    put("config", b"base: &base\n  interval: 1\nfast:\n  <<: *base\n  seed: 2\nlist: [a, {b: c}]\n")


if __name__ == "__main__":
    main()
