#!/usr/bin/env bash
# Create the two throwaway venvs (outside the repo) whose SDK type definitions
# tools/build_spec.py turns into the spec, and which tools/check_spec.py uses to
# validate the examples. Versions are pinned so regeneration is reproducible.
#   bash tools/make_spec_venvs.sh            # -> /tmp/spec-v2, /tmp/spec-v0
#   SPEC_VENV_DIR=/some/dir bash tools/make_spec_venvs.sh
set -euo pipefail
DIR=${SPEC_VENV_DIR:-/tmp}
V2=${ANTHROPIC_VERSION:-2.17.0}  # tools/refresh_sdk.py passes the release to build from
PY=${PYTHON:-python3}
if [ ! -x "$DIR/spec-v2/bin/python" ]; then
  "$PY" -m venv "$DIR/spec-v2"
fi
"$DIR/spec-v2/bin/pip" install -q --disable-pip-version-check \
  "anthropic==$V2" openai==3.57.0 pydantic==2.14.4 pyyaml==6.0.4 jsonschema==4.26.0 openapi-spec-validator==0.9.0 orjson==3.13.0
if [ ! -x "$DIR/spec-v0/bin/python" ]; then
  "$PY" -m venv "$DIR/spec-v0"
fi
"$DIR/spec-v0/bin/pip" install -q --disable-pip-version-check \
  anthropic==0.125.0 pydantic==2.14.4 pyyaml==6.0.4 jsonschema==4.26.0 orjson==3.13.0
echo "venvs ready: $DIR/spec-v2 $DIR/spec-v0"
