#!/bin/bash
set -euo pipefail
command -v node >/dev/null || dnf install -y nodejs20
id node >/dev/null 2>&1 || useradd --system node
