#!/bin/bash
set -euo pipefail
curl -fsS --retry 10 --retry-delay 3 --retry-connrefused http://127.0.0.1:8000/ >/dev/null
