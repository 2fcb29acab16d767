#!/bin/bash
set -euo pipefail
cd /opt/orders-api
python3 -m venv venv
venv/bin/pip install --no-input -r requirements.txt
