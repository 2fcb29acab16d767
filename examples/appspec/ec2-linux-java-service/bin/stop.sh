#!/bin/sh
set -eu
if [ -f /opt/billing/billing.pid ]; then
  kill "$(cat /opt/billing/billing.pid)" || true
  rm -f /opt/billing/billing.pid
fi
