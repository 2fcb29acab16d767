#!/bin/bash
set -euo pipefail
systemctl stop orders-api || true
