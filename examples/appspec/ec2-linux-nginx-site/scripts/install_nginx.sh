#!/bin/bash
set -euo pipefail
dnf install -y nginx
mkdir -p /usr/share/nginx/html/www
