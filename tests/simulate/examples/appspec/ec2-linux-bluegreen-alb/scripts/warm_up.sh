#!/bin/bash
set -euo pipefail
for path in / /health; do curl -fsS "http://127.0.0.1:3000${path}" >/dev/null; done
