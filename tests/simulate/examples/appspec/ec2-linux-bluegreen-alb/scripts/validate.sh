#!/bin/bash
set -euo pipefail
curl -fsS --retry 20 --retry-delay 3 --retry-connrefused http://127.0.0.1:3000/health
