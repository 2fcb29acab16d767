#!/bin/bash
echo migrate
