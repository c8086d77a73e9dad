# Sourced by local/run and local/test. Selects a JDK >= 21 (the machine's default java may be 17):
# keeps JAVA_HOME if it already points at 21+, else takes the newest JDK 21+ under /usr/lib/jvm.
# Then makes sure python3 has moto's server, the default AWS emulator of the stack and the tests.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" || "$(java_major "$JAVA_HOME")" -lt 21 ]]; then
  best=""; best_major=0
  for dir in /usr/lib/jvm/*; do
    [[ -x "$dir/bin/javac" ]] || continue
    major=$(java_major "$dir")
    if [[ "$major" =~ ^[0-9]+$ && "$major" -ge 21 && "$major" -gt "$best_major" ]]; then best="$dir"; best_major=$major; fi
  done
  if [[ -z "$best" ]]; then
    echo "No JDK 21 or newer found: set JAVA_HOME to one (Temurin 21+)." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
fi
export PATH="$JAVA_HOME/bin:$PATH"

if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "Installing moto[server] (the default AWS emulator) for python3..." >&2
  python3 -m pip install --quiet 'moto[server]==5.2.1' >&2
fi
