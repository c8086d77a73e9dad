# Sourced by .ci/run and local/bench: puts the pinned AWS SAM CLI and cfn-lint (in a virtualenv under the
# user's cache) and an `mvn` on PATH, installing them on first use. Sets $tools_python to that virtualenv's python.
sam_version=1.170.0
cfn_lint_version=1.58.0
tools="${XDG_CACHE_HOME:-$HOME/.cache}/avala-agents/sam-$sam_version-cfn-lint-$cfn_lint_version"
if [[ ! -x "$tools/bin/sam" ]]; then
  echo "== installing aws-sam-cli $sam_version and cfn-lint $cfn_lint_version into $tools" >&2
  python3 -m venv --clear "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "aws-sam-cli==$sam_version" "cfn-lint==$cfn_lint_version"
fi
# Only the two tools go on PATH, not the virtualenv's bin: its python3 has no moto, and the python3 that
# local/prerequisites.sh gave moto must stay the one the emulator starts with.
mkdir -p "$tools/on-path" && ln -sf "$tools/bin/sam" "$tools/bin/cfn-lint" "$tools/on-path/"
export PATH="$tools/on-path:$PATH"
export SAM_CLI_TELEMETRY=0
if ! command -v mvn >/dev/null; then
  # sam build runs `mvn`; without one on PATH, the project's wrapper stands in.
  mkdir -p "$tools/mvn-shim" && printf '#!/bin/sh\nexec "%s/mvnw" "$@"\n' "$PWD" > "$tools/mvn-shim/mvn"
  chmod +x "$tools/mvn-shim/mvn" && export PATH="$tools/mvn-shim:$PATH"
fi
tools_python="$tools/bin/python"
