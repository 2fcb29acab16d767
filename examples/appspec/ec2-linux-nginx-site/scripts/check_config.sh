#!/bin/bash
set -euo pipefail
nginx -t
