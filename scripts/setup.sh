#!/usr/bin/env bash
# Installs what building and testing the SONM sidechain needs, and does nothing for what is
# already there: Debian packages (protoc, clang, OpenSSL headers), the pinned Rust toolchain
# with its wasm targets and rust-src. Safe to run any number of times.
set -euo pipefail

cd "$(dirname "$0")/.."

# Debian packages. `mold`, the linker .cargo/config.toml names; `protobuf-compiler` for libp2p, `clang`/`libclang-dev` for bindgen,
# `libssl-dev`/`pkg-config` for the WebRTC transport of litep2p, `g++` for the wasm optimiser;
# the container engine the worker runs deals' workloads on (podman's Docker-compatible API
# service with runc, configured by scripts/containers.conf), busybox for offline test images
# and a local registry for the pull path; iproute2, iptables, curl and util-linux (unshare,
# nsenter, mount) for the fault tests that cut validators apart in network namespaces and fill
# a tmpfs under a node; nftables for the worker's task firewall (each deal's network kept off
# private addresses); postgresql for the indexer's tests on a real PostgreSQL server (each test
# makes its own cluster with initdb in a temporary directory; no system cluster is used);
# chromium for the web console's browser tests (driven by playwright-core, which downloads no
# browser of its own).
packages=(protobuf-compiler clang libclang-dev libssl-dev pkg-config g++ make
	mold podman runc slirp4netns uidmap fuse-overlayfs busybox-static docker-registry
	iproute2 iptables nftables curl util-linux postgresql chromium)
missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$package")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

# Rust: the toolchain pinned in rust-toolchain.toml, its wasm targets and rust-src.
if ! command -v rustup >/dev/null; then
	echo "setup: rustup is required (https://rustup.rs)" >&2
	exit 1
fi
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup toolchain list | grep -q "^$toolchain" || rustup toolchain install "$toolchain" --profile minimal
installed_targets=$(rustup target list --installed --toolchain "$toolchain")
for target in wasm32-unknown-unknown wasm32v1-none; do
	grep -qx "$target" <<<"$installed_targets" || rustup target add --toolchain "$toolchain" "$target"
done
installed_components=$(rustup component list --installed --toolchain "$toolchain")
for component in rust-src clippy rustfmt; do
	grep -q "^$component" <<<"$installed_components" ||
		rustup component add --toolchain "$toolchain" "$component"
done

# cargo-nextest, which scripts/test.sh runs the tests with.
if ! cargo nextest --version >/dev/null 2>&1; then
	echo "setup: installing cargo-nextest"
	cargo install cargo-nextest --locked
fi

# npm tools, pinned, in one folder outside the repository (scripts/env.sh puts their
# binaries on PATH): anvil (a local Ethereum node, its binary ships in the npm package) and
# solcjs (the Solidity compiler the gateway's contracts are built with).
npm_dir="$HOME/.cache/sonm-npm"
npm_tools=("@foundry-rs/anvil-linux-amd64@1.7.1" "solc@0.8.37")
if ! command -v npm >/dev/null; then
	echo "setup: installing nodejs and npm"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq nodejs npm
fi
npm_missing=()
for tool in "${npm_tools[@]}"; do
	name="${tool%@*}"
	version="${tool##*@}"
	installed=$(node -p "require('$npm_dir/node_modules/$name/package.json').version" 2>/dev/null || true)
	[ "$installed" = "$version" ] || npm_missing+=("$tool")
done
if ((${#npm_missing[@]})); then
	echo "setup: installing ${npm_missing[*]} into $npm_dir"
	mkdir -p "$npm_dir"
	npm install --no-audit --no-fund --prefix "$npm_dir" "${npm_tools[@]}" >/dev/null
fi

# The web console's packages, exactly as its lockfile pins them, again only when it changed.
lock_sum=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [ "$(cat web/node_modules/.sonm-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
	echo "setup: installing the web console's packages (npm ci in web/)"
	(cd web && npm ci --no-audit --no-fund >/dev/null)
	echo "$lock_sum" >web/node_modules/.sonm-lock-sha256
fi

echo "setup: ready (rust $toolchain, protoc $(protoc --version | cut -d' ' -f2), clang $(clang -dumpversion), anvil and solcjs in $npm_dir)"
