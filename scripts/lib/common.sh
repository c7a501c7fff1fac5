# SPDX-License-Identifier: GPL-2.0
# Shared by pfl's scripts: cache location and messages.

PFL_CACHE=${PFL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfl}
export PFL_CACHE

log() { printf 'pfl: %s\n' "$*" >&2; }
die() { printf 'pfl: error: %s\n' "$*" >&2; exit 1; }
