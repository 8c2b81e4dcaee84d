#!/usr/bin/env bash
# Installs what the real-editor tests need: Debian packages (chromium, ripgrep, libkrb5-dev)
# and code-server 4.100.3 into a versioned cache folder outside the clone.
# Idempotent: a marker file records a finished install, later runs return at once.
# See /work/shared/REAL-EDITOR.md (mirrored in docs/editor.md) for why each step is here.
set -euo pipefail

CS_VERSION="${GRADLENS_CODE_SERVER_VERSION:-4.100.3}"
CACHE="${GRADLENS_CACHE:-$HOME/.cache/gradlens}"
DEST="$CACHE/code-server-$CS_VERSION"
MARKER="$DEST/.gradlens-complete"

log() { printf '[ci-setup] %s\n' "$*"; }

# 1. Debian packages ---------------------------------------------------------------------------
missing=()
for pkg in libkrb5-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "apt packages present"
fi

# 2. code-server ---------------------------------------------------------------------------------
if [ -f "$MARKER" ]; then
  log "code-server $CS_VERSION already installed in $DEST"
  exit 0
fi

start=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/gradlens-cs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rm -rf "$DEST"
mkdir -p "$DEST"
# A plain local install in $DEST. Not `npm install --global --prefix`: npm exports those settings
# to lifecycle scripts, and code-server's postinstall (its own `npm install` in lib/vscode) would
# then install into the wrong place and fail with ENOTEMPTY/TAR_ENTRY_ERROR.
echo '{"private":true}' >"$DEST/package.json"

log "fetching code-server@$CS_VERSION"
(cd "$work" && npm pack --silent "code-server@$CS_VERSION" >/dev/null)
tgz="$work/code-server-$CS_VERSION.tgz"

# @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable here). It first looks in
# $TMPDIR/vscode-ripgrep-cache-<its version>/ for the release tarball: put Debian's rg there.
rg_pkg_version="$(tar -xzOf "$tgz" package/lib/vscode/npm-shrinkwrap.json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages["node_modules/@vscode/ripgrep"].version))')"
rg_release="v13.0.0-10"
rg_cache="$work/tmp/vscode-ripgrep-cache-$rg_pkg_version"
mkdir -p "$rg_cache" "$work/rg"
cp "$(command -v rg)" "$work/rg/rg"
tar -czf "$rg_cache/ripgrep-$rg_release-x86_64-unknown-linux-musl.tar.gz" -C "$work/rg" rg
log "ripgrep cache for @vscode/ripgrep $rg_pkg_version prepared"

log "installing into $DEST (about 2 minutes)"
# unsafe_perm: code-server's postinstall refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp`, which otherwise waits for a confirmation.
TMPDIR="$work/tmp" \
npm_config_unsafe_perm=true \
npm_config_yes=true \
npm_config_update_notifier=false \
npm_config_fund=false \
npm_config_audit=false \
  bash -c 'cd "$1" && npm install --no-save --no-package-lock "$2"' _ "$DEST" "$tgz" >"$work/install.log" 2>&1 || {
    tail -n 60 "$work/install.log"
    log "code-server install failed"
    exit 1
  }

bin="$DEST/node_modules/.bin/code-server"
test -x "$bin"
test -x "$DEST/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
version="$(HOME="$work" XDG_CONFIG_HOME="$work/.config" XDG_DATA_HOME="$work/.local" "$bin" --version | grep -E "^[0-9]" | head -n 1)"
echo "$version" >"$MARKER"
log "code-server $version installed in $(( $(date +%s) - start )) s"
