#!/usr/bin/env bash
# Refresh the vendored Bootstrap in static/vendor/bootstrap from the npm registry, and its
# checksum file. Usage: scripts/vendor_bootstrap.sh [VERSION]   (default: the pinned one)
# Check only: scripts/vendor_bootstrap.sh --check
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor/bootstrap
if [ "${1:-}" = "--check" ]; then
  (cd "$dest" && sha256sum --quiet -c SHA256SUMS) && echo "vendored Bootstrap matches SHA256SUMS"
  exit
fi
version=${1:-$(cat "$dest/VERSION")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "bootstrap@$version" >/dev/null && tar xzf bootstrap-*.tgz)
mkdir -p "$dest"
cp "$tmp/package/dist/css/bootstrap.min.css" "$tmp/package/dist/css/bootstrap.min.css.map" \
   "$tmp/package/dist/js/bootstrap.bundle.min.js" "$tmp/package/dist/js/bootstrap.bundle.min.js.map" \
   "$tmp/package/LICENSE" "$dest/"
echo "$version" > "$dest/VERSION"
(cd "$dest" && sha256sum bootstrap.min.css bootstrap.min.css.map bootstrap.bundle.min.js \
   bootstrap.bundle.min.js.map LICENSE > SHA256SUMS)
echo "Bootstrap $version vendored into $dest"
