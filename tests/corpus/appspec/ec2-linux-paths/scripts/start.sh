#!/bin/bash
python3 /srv/app/run.py
