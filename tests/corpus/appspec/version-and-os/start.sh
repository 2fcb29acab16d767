#!/bin/sh
exec /opt/app/run
