#!/bin/bash
dnf install -y httpd
