#!/bin/bash
set -euo pipefail
cd /srv/checkout
echo "dependencies are vendored in dist/"
