"""What the shared libraries inside a deployable zip need from the system they run on.

Function Compute's runtimes (python3.10 on Debian 10, custom.debian11) are server images: glibc,
libstdc++, libgcc_s and zlib are there, a desktop's libraries need not be. A library that a zip's
extension module needs (its ELF DT_NEEDED entries) must therefore be either inside the zip (the
`*.libs/` folders that auditwheel grafts into manylinux wheels) or on the allow-list below.

The allow-list is not ours: it is the libraries that the manylinux2014 policy (PEP 599) lets a
wheel take from the system, as auditwheel ships that policy (auditwheel/policy/manylinux-policy.json,
"manylinux_2_17", key "lib_whitelist"), less the families that are there for graphical programs on a
desktop Linux: X11, OpenGL and GLib. opencv-python's wheels rely on exactly those
(libGL, libX11, libxcb through them, glib), which is why the engine's zip takes
opencv-python-headless. ELF interpreters (ld-linux*) are skipped as auditwheel skips them
(auditwheel/policy/__init__.py, "always exclude ELF dynamic linker/loader").

DT_NEEDED is read with auditwheel's own reader (auditwheel.elfutils.elf_read_dt_needed, on
pyelftools), no `readelf` needed.
"""

import json
import os
import pathlib

# The desktop families (X11, OpenGL, GLib) among manylinux2014's libraries; each prefix must
# match a library of that list (checked in allowed_system_libraries), so none is made up.
DESKTOP_PREFIXES = ("libGL.", "libICE.", "libSM.", "libX11.", "libXext.", "libXrender.",
                    "libglib-2.0.", "libgobject-2.0.", "libgthread-2.0.")


def manylinux2014_libraries() -> frozenset:
    import auditwheel

    path = os.path.join(os.path.dirname(auditwheel.__file__), "policy", "manylinux-policy.json")
    with open(path, encoding="utf-8") as f:
        [policy] = [p for p in json.load(f) if p["name"] == "manylinux_2_17"]
    return frozenset(policy["lib_whitelist"])


def allowed_system_libraries() -> frozenset:
    policy = manylinux2014_libraries()
    desktop = {lib for lib in policy if lib.startswith(DESKTOP_PREFIXES)}
    # Every desktop family named above is one the policy lists (no prefix matches nothing).
    assert all(any(lib.startswith(p) for lib in desktop) for p in DESKTOP_PREFIXES), desktop
    return policy - desktop


def is_elf_loader(name: str) -> bool:
    return "ld-linux" in name or name in ("ld64.so.2", "ld64.so.1")


def needed_from_the_system(root: str) -> dict:
    """{library file (relative to root): [DT_NEEDED names not found in the tree]}, for every ELF
    shared object under root (an unpacked zip)."""
    from auditwheel.elfutils import elf_read_dt_needed

    shipped, objects = set(), []
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            shipped.add(name)
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    objects.append(path)
    missing = {}
    for path in objects:
        outside = [lib for lib in elf_read_dt_needed(pathlib.Path(path))
                   if lib not in shipped and not is_elf_loader(lib)]
        if outside:
            missing[os.path.relpath(path, root)] = outside
    return missing


def libraries_beyond_the_allow_list(root: str) -> dict:
    """{library: [system libraries it needs that FC's runtimes may lack]} for an unpacked zip
    (empty: all fine)."""
    allowed = allowed_system_libraries()
    found = {}
    for library, needed in needed_from_the_system(root).items():
        beyond = sorted(lib for lib in needed if lib not in allowed)
        if beyond:
            found[library] = beyond
    return found
