#!/bin/bash
set -euo pipefail
systemctl enable --now nginx
systemctl reload nginx
