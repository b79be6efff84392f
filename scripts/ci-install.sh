#!/usr/bin/env bash
# Install anthropic-mockserver into a virtualenv of its own for a CI job (the GitHub Action runs this).
#
# Environment:
#   MOCKSERVER_PYTHON   the interpreter to build the virtualenv with (3.11 or newer; default python3)
#   MOCKSERVER_SOURCE   what to install (default: this repository, the folder above this script)
#   MOCKSERVER_VENV     where (default: $RUNNER_TEMP or /tmp, anthropic-mockserver)
#   GITHUB_OUTPUT       receives bin=<path of the mockserver executable>
set -euo pipefail

python=${MOCKSERVER_PYTHON:-python3}
source_dir=${MOCKSERVER_SOURCE:-$(cd "$(dirname "$0")/.." && pwd)}
venv=${MOCKSERVER_VENV:-${RUNNER_TEMP:-/tmp}/anthropic-mockserver}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "anthropic-mockserver needs Python 3.11 or newer; $python is $("$python" --version 2>&1 || echo missing)." >&2
  echo "Set the action's python-version input (default 3.12) or install a newer Python." >&2
  exit 1
fi
"$python" -m venv "$venv"
case "$(uname -s)" in
  MINGW*|MSYS*|CYGWIN*) bin_dir="$venv/Scripts" ;;  # Windows runners: Git Bash, Windows venv layout
  *) bin_dir="$venv/bin" ;;
esac
"$bin_dir/python" -m pip install --quiet --disable-pip-version-check "$source_dir"
echo "anthropic-mockserver installed in $venv"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  printf 'bin=%s\n' "$bin_dir/mockserver" >>"$GITHUB_OUTPUT"
fi
