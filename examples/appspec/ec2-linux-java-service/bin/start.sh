#!/bin/sh
set -eu
cd /opt/billing
nohup java -Xmx512m -jar lib/billing.jar >/var/log/billing.log 2>&1 &
echo $! > billing.pid
