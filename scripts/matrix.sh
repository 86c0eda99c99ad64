#!/bin/sh
# matrix.sh — kept for old command lines: the matrix runner is scripts/matrix.py.
exec python3 "$(dirname "$0")/matrix.py" "$@"
