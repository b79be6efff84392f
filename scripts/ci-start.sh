#!/usr/bin/env bash
# Start anthropic-mockserver in the background for a CI job, wait until it is healthy and export its
# address. The GitHub Action (action.yml) runs this; any other CI can run it as it is.
#
# Environment (all optional):
#   MOCKSERVER_BIN      the executable (default: mockserver on PATH)
#   MOCKSERVER_HOST     address to listen on (default 127.0.0.1)
#   MOCKSERVER_PORT     port (default 4010)
#   MOCKSERVER_ARGS     further `mockserver serve` options, e.g. "--stateless --seed 7" (default: none)
#   MOCKSERVER_TIMEOUT  seconds to wait for health (default 30)
#   MOCKSERVER_LOG      file for the server's output (default: $RUNNER_TEMP or /tmp, mockserver.log)
#   GITHUB_ENV          file that receives ANTHROPIC_BASE_URL, TEST_API_BASE_URL and MOCKSERVER_PID
#   GITHUB_OUTPUT       file that receives base-url and pid (the Action's outputs)
set -euo pipefail

bin=${MOCKSERVER_BIN:-mockserver}
host=${MOCKSERVER_HOST:-127.0.0.1}
port=${MOCKSERVER_PORT:-4010}
timeout=${MOCKSERVER_TIMEOUT:-30}
log=${MOCKSERVER_LOG:-${RUNNER_TEMP:-/tmp}/mockserver.log}
base_url="http://$host:$port"
read -r -a extra <<< "${MOCKSERVER_ARGS:-}"

healthy() {
  if command -v curl >/dev/null; then
    curl --silent --fail --max-time 2 --noproxy '*' "$base_url/_mock/health" >/dev/null 2>&1
  else
    python3 -c 'import sys, urllib.request as u; u.build_opener(u.ProxyHandler({})).open(sys.argv[1], timeout=2)' \
      "$base_url/_mock/health" >/dev/null 2>&1
  fi
}

# nohup where there is one (Git Bash on Windows has none); ${a[@]+...}: macOS's bash 3.2 calls an empty
# array unbound under set -u
launcher=()
if command -v nohup >/dev/null; then launcher=(nohup); fi
${launcher[@]+"${launcher[@]}"} "$bin" serve --host "$host" --port "$port" ${extra[@]+"${extra[@]}"} \
  >"$log" 2>&1 </dev/null &
pid=$!

deadline=$((SECONDS + timeout))
until healthy; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "anthropic-mockserver exited before it was healthy; its output:" >&2
    cat "$log" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "anthropic-mockserver did not answer $base_url/_mock/health within ${timeout}s; its output:" >&2
    cat "$log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done

if [ -n "${GITHUB_ENV:-}" ]; then
  printf 'ANTHROPIC_BASE_URL=%s\nTEST_API_BASE_URL=%s\nMOCKSERVER_PID=%s\n' "$base_url" "$base_url" "$pid" >>"$GITHUB_ENV"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  printf 'base-url=%s\npid=%s\n' "$base_url" "$pid" >>"$GITHUB_OUTPUT"
fi
echo "anthropic-mockserver (pid $pid) is healthy at $base_url"
