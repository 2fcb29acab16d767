#!/bin/bash
set -euo pipefail
if systemctl is-active --quiet nginx; then
  systemctl stop nginx
fi
