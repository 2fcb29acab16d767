#!/bin/bash
set -euo pipefail
curl -fsS http://127.0.0.1:3000/ | grep -q checkout
