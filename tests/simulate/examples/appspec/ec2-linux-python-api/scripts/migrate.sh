#!/bin/bash
set -euo pipefail
cd /opt/orders-api
echo "running database migrations for deployment ${DEPLOYMENT_ID:-local}"
