#!/bin/bash
echo reindex
