#!/usr/bin/env bash
# Source this file: it puts a Node >= 22.12 on PATH. When the system Node is older (Debian's
# machines ship 20), it bootstraps Node 22 from the npm registry (the node-linux-<arch> package
# carries the official binary) into the git-ignored .tools/ folder, once.
NODE_BOOTSTRAP_VERSION=22.23.3
_lx_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_lx_node_ok() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

if command -v node >/dev/null 2>&1 && _lx_node_ok node; then
  :
elif [ -x "$_lx_root/.tools/node/bin/node" ] && _lx_node_ok "$_lx_root/.tools/node/bin/node"; then
  export PATH="$_lx_root/.tools/node/bin:$PATH"
else
  case "$(uname -m)" in
    x86_64) _lx_arch=x64 ;;
    aarch64 | arm64) _lx_arch=arm64 ;;
    *) echo "ensure-node: unsupported architecture $(uname -m)" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  echo "ensure-node: system Node is $(node --version 2>/dev/null || echo missing); fetching Node $NODE_BOOTSTRAP_VERSION from the npm registry"
  _lx_tmp="$(mktemp -d)"
  (cd "$_lx_tmp" && npm pack --silent "node-linux-${_lx_arch}@${NODE_BOOTSTRAP_VERSION}" >/dev/null) || { echo "ensure-node: npm pack failed" >&2; return 1 2>/dev/null || exit 1; }
  tar -xzf "$_lx_tmp"/node-linux-*.tgz -C "$_lx_tmp"
  mkdir -p "$_lx_root/.tools/node/bin"
  mv "$_lx_tmp/package/bin/node" "$_lx_root/.tools/node/bin/node"
  rm -rf "$_lx_tmp"
  export PATH="$_lx_root/.tools/node/bin:$PATH"
fi
echo "ensure-node: using Node $(node --version) at $(command -v node)"
