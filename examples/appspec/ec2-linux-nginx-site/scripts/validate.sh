#!/bin/bash
set -euo pipefail
for attempt in $(seq 1 10); do
  if curl -fsS http://localhost/healthz >/dev/null; then
    exit 0
  fi
  sleep 3
done
echo "nginx did not answer on /healthz" >&2
exit 1
