#!/bin/bash
systemctl restart app
