#!/bin/bash
curl -fs localhost
