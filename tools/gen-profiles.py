#!/usr/bin/env python3
"""Regenerate rules/profiles.toml from a clone of lf-edge/ekuiper.

    tools/gen-profiles.py /path/to/ekuiper.git > rules/profiles.toml

Reads, at every stable tag from 1.10.0 on, only the release's own build
files (git show TAG:PATH; no work tree needed) and refuses to guess: when
two files that should agree (the workflow's Go matrix and the Dockerfiles'
GO_VERSION, say) disagree, it stops and names the tag. Releases whose facts
are identical share one group; the version list stays explicit.
"""

import re
import subprocess
import sys

FIRST = (1, 10, 0)
WORKFLOW = ".github/workflows/build_packages.yaml"
ALPINE_DOCKERFILE = "deploy/docker/Dockerfile"
SLIM_DOCKERFILE = "deploy/docker/Dockerfile-slim"
CONTRACT = "github.com/lf-edge/ekuiper/contract/v2"
MAIN_MODULE = "github.com/lf-edge/ekuiper"
# Docker platform -> GOARCH, the spelling the profiles use.
PLATFORMS = {"linux/amd64": "amd64", "linux/arm64": "arm64", "linux/arm/v7": "arm"}


class Fail(Exception):
    pass


def show(repo, tag, path):
    out = subprocess.run(["git", "-C", repo, "show", f"{tag}:{path}"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise Fail(f"{tag}: cannot read {path}")
    return out.stdout


def show_followed(repo, tag, path):
    """Dockerfile-alpine is a symlink at some tags; git show gives its target."""
    text = show(repo, tag, path)
    if "\n" not in text.strip() and not text.startswith("#"):
        return show(repo, tag, f"{path.rsplit('/', 1)[0]}/{text.strip()}")
    return text


def stable_tags(repo):
    tags = subprocess.run(["git", "-C", repo, "tag"], capture_output=True,
                          text=True, check=True).stdout.split()
    found = []
    for tag in tags:
        m = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", tag)
        if m and tuple(map(int, m.groups())) >= FIRST:
            found.append((tuple(map(int, m.groups())), tag))
    return sorted(found)


def one(values, what, tag):
    values = sorted(set(values))
    if len(values) != 1:
        raise Fail(f"{tag}: {what} is not a single value: {values}")
    return values[0]


def job(workflow, name):
    """The text of one top-level job of a workflow (two-space indented key)."""
    m = re.search(rf"^  {re.escape(name)}:\n(.*?)(?=^  [\w-]+:\n|\Z)",
                  workflow, re.S | re.M)
    return m.group(1) if m else ""


def go_version(repo, tag):
    workflow = show(repo, tag, WORKFLOW)
    matrix = re.findall(r"^\s+golang:\s*\n\s+- ([\d.]+)", workflow, re.M)
    alpine = re.findall(r"^ARG GO_VERSION=([\d.]+)",
                        show(repo, tag, ALPINE_DOCKERFILE), re.M)
    slim = re.findall(r"^ARG GO_VERSION=([\d.]+)",
                      show(repo, tag, SLIM_DOCKERFILE), re.M)
    go = one(matrix + alpine + slim, "Go version", tag)
    source = (f"{WORKFLOW} (matrix golang: {go}); {ALPINE_DOCKERFILE} and "
              f"{SLIM_DOCKERFILE} (ARG GO_VERSION={go})")
    return f"go{go}", source


def api(repo, tag, version):
    gomod = show(repo, tag, "go.mod")
    if version[0] == 1:
        # 1.x plugins import pkg/api of the main module at the release itself.
        module = one(re.findall(r"^module (\S+)", gomod, re.M), "module", tag)
        if module != MAIN_MODULE:
            raise Fail(f"{tag}: go.mod declares module {module}")
        return module, f"v{'.'.join(map(str, version))}", \
            f"go.mod (module {module}; plugins import its pkg/api)"
    required = re.findall(rf"^\s*{re.escape(CONTRACT)} (v\S+)", gomod, re.M)
    if re.search(rf"{re.escape(CONTRACT)}\s.*=>", gomod):
        raise Fail(f"{tag}: go.mod replaces the contract module")
    contract = one(required, "contract version", tag)
    return CONTRACT, contract, f"go.mod (require {CONTRACT} {contract})"


def make_target(makefile, target, tag):
    m = re.search(rf"^{re.escape(target)}:.*?\n(.*?)(?=^\S|\Z)", makefile,
                  re.S | re.M)
    lines = [line for line in (m.group(1) if m else "").splitlines()
             if "go build" in line and "kuiperd" in line]
    return one(lines, f"kuiperd build line of {target}", tag)


def package_target(makefile, tag):
    """The build target behind `make pkg` (the deb/rpm/tarball packages)."""
    target = "pkg"
    while not target.startswith("build_"):
        m = re.search(rf"^{re.escape(target)}:\s*(\S+)", makefile, re.M)
        if not m:
            raise Fail(f"{tag}: cannot follow make {target}")
        target = m.group(1)
    return target


def build_flags(repo, tag):
    makefile = show(repo, tag, "Makefile")
    targets = [package_target(makefile, tag)]
    for path in (ALPINE_DOCKERFILE, SLIM_DOCKERFILE):
        targets += re.findall(r"^RUN make (\S+)", show(repo, tag, path), re.M)
    lines = [make_target(makefile, t, tag) for t in sorted(set(targets))]
    plugins = [line for line in show(repo, tag, "build-plugins.sh").splitlines()
               if "go build" in line and "buildmode=plugin" in line]
    trimpath = one(["-trimpath" in line for line in lines + plugins],
                   "-trimpath of kuiperd and the official plugins", tag)
    cgo = one(["CGO_ENABLED=1" in line for line in lines], "CGO_ENABLED", tag)
    names = ", ".join(sorted(set(targets)))
    return trimpath, cgo, (
        f"Makefile ({names}: kuiperd built with "
        f"{'CGO_ENABLED=1' if cgo else 'CGO_ENABLED=0'}"
        f"{' go build -trimpath' if trimpath else ' go build without -trimpath'}); "
        f"build-plugins.sh (official plugins: go build "
        f"{'-trimpath ' if trimpath else ''}--buildmode=plugin)")


def arches(repo, tag):
    workflow = show(repo, tag, WORKFLOW)
    images = re.findall(r"platforms: (linux/[\w/,]+)",
                        job(workflow, "build-docker-images"))
    multi = one([p for p in images if "," in p], "image platforms", tag)
    image_arches = [PLATFORMS[p] for p in multi.split(",")]
    prepare = re.search(r'echo "arch=\[(.*?)\]"', job(workflow, "prepare"))
    if prepare:
        listed = re.findall(r'\\"(linux/[\w/]+)\\"', prepare.group(1))
        where = "prepare job, release arch list"
    else:
        build = job(workflow, "build")
        block = re.search(r"arch:\s*\n((?:\s+- linux/\S+\n)+)", build)
        listed = re.findall(r"- (linux/\S+)", block.group(1) if block else "")
        where = "build job, matrix arch"
    if not listed:
        raise Fail(f"{tag}: no package architectures")
    packages = [PLATFORMS[p] for p in listed]
    return image_arches, packages, (
        f"{WORKFLOW} (build-docker-images: platforms {multi})",
        f"{WORKFLOW} ({where}: {', '.join(listed)})")


def images(repo, tag, go):
    found = []
    for flavour, libc, path in (("alpine", "musl", ALPINE_DOCKERFILE),
                                ("slim", "glibc", SLIM_DOCKERFILE)):
        froms = re.findall(r"^FROM (\S+)", show(repo, tag, path), re.M)
        if len(froms) != 2:
            raise Fail(f"{tag}: {path} is not a two-stage build: {froms}")
        builder = froms[0].replace("$GO_VERSION", go.removeprefix("go"))
        found.append({"flavour": flavour, "libc": libc, "base": froms[1],
                      "builder": builder,
                      "source": f"{path} (FROM {froms[0]}; FROM {froms[1]})"})
    return found


def facts(repo, version, tag):
    go, go_source = go_version(repo, tag)
    module, api_version, api_source = api(repo, tag, version)
    trimpath, cgo, flags_source = build_flags(repo, tag)
    image_arches, package_arches, (arch_source, pkg_source) = arches(repo, tag)
    return {
        "go": go, "api_module": module,
        # 1.x: the API version is the release's own, so it is left out of
        # the group key and written as absent (the reader derives it).
        "api_version": api_version if version[0] >= 2 else None,
        "trimpath": trimpath, "cgo": cgo, "arches": image_arches,
        "package_arches": package_arches,
        "images": images(repo, tag, go),
        "source": {"go": go_source, "api": api_source,
                   "trimpath": flags_source, "cgo": flags_source,
                   "arches": arch_source, "package_arches": pkg_source},
    }


def toml_str(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(values):
    return "[" + ", ".join(toml_str(v) for v in values) + "]"


def render(groups):
    out = [HEADER]
    for fact, members in groups:
        versions = [".".join(map(str, v)) for v, _ in members]
        out.append(f"\n# tags: {' '.join(t for _, t in members)}")
        out.append("[[group]]")
        out.append(f"versions = {toml_list(versions)}")
        out.append(f"go = {toml_str(fact['go'])}")
        out.append(f"api_module = {toml_str(fact['api_module'])}")
        if fact["api_version"]:
            out.append(f"api_version = {toml_str(fact['api_version'])}")
        out.append(f"trimpath = {str(fact['trimpath']).lower()}")
        out.append(f"cgo = {str(fact['cgo']).lower()}")
        out.append(f"arches = {toml_list(fact['arches'])}")
        out.append(f"package_arches = {toml_list(fact['package_arches'])}")
        for image in fact["images"]:
            out.append("\n[[group.images]]")
            for key in ("flavour", "libc", "base", "builder", "source"):
                out.append(f"{key} = {toml_str(image[key])}")
        out.append("\n[group.source]")
        for key, value in fact["source"].items():
            out.append(f"{key} = {toml_str(value)}")
    return "\n".join(out) + "\n"


HEADER = """\
# eKuiper release profiles: what an official build of each release is made
# with, so a plugin can be checked against it (`--target`).
#
# Generated by tools/gen-profiles.py from lf-edge/ekuiper: every figure was
# read from the release's own files at its git tag (the `# tags:` line above
# each group); `source` names the file and the value found there, and holds
# at every tag of the group.
#
# go             the Go release of the official build: the golang matrix of
#                the build workflow, equal to ARG GO_VERSION of both
#                Dockerfiles (not go.mod's `go` line, a mere minimum).
# api_module     the module plugins take their API from.
# api_version    its version in the release's go.mod (2.x). Absent for 1.x,
#                where the API is the main module at the release itself.
# trimpath, cgo  how kuiperd is built by the Makefile targets behind both
#                images and `make pkg`.
# arches         GOARCH of the official docker images (both flavours).
# package_arches GOARCH of the official deb/rpm packages.
# images         one per image flavour: `alpine` (the default tag, musl) and
#                `slim` (debian, glibc); base is the runtime image, builder
#                the image kuiperd (and the official plugins) are built in."""


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    repo = sys.argv[1]
    groups = []
    try:
        for version, tag in stable_tags(repo):
            fact = facts(repo, version, tag)
            for known, members in groups:
                if known == fact:
                    members.append((version, tag))
                    break
            else:
                groups.append((fact, [(version, tag)]))
    except Fail as fail:
        sys.exit(f"gen-profiles: {fail}")
    sys.stdout.write(render(groups))


if __name__ == "__main__":
    main()
