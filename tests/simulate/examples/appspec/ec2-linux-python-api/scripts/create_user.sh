#!/bin/bash
set -euo pipefail
id orders >/dev/null 2>&1 || useradd --system --home /opt/orders-api --shell /sbin/nologin orders
mkdir -p /opt/orders-api
