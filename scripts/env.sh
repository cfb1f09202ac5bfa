# Sourced by the scripts: one shared cargo target directory for the shell, the scripts and CI,
# so that a build done once is reused everywhere. Override by exporting CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sonm-target}"
mkdir -p "$CARGO_TARGET_DIR"
