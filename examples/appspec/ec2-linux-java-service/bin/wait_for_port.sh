#!/usr/bin/env bash
set -euo pipefail
timeout 500 bash -c 'until (echo > /dev/tcp/127.0.0.1/8443) 2>/dev/null; do sleep 5; done'
