#!/bin/bash
# Give in-flight checkouts time to finish before the instance leaves the target group.
sleep 30
