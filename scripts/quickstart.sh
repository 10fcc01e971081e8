#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) and runs the demo or the test suite; safe to run twice.
#   bash scripts/quickstart.sh demo   — install, then run the three cycles on generated sample data
#   bash scripts/quickstart.sh test   — install, then run the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-demo}"
debian_packages=(python3 python3-venv python3-dev fonts-noto-cjk libharfbuzz-subset0 poppler-utils)
if [ "$mode" = "test" ]; then
  debian_packages+=(chromium)
fi

missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> 安装系统软件包: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv"
  "$python_bin" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> 安装 Python 依赖(版本锁定于 constraints.txt)"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -c constraints.txt -e '.[test]'
  rm -f .venv/.installed-* && touch "$stamp"
fi

case "$mode" in
  demo)
    exec .venv/bin/assess demo
    ;;
  test)
    exec .venv/bin/python -m pytest -n 2 --dist loadgroup "${@:2}"
    ;;
  *)
    echo "用法: bash scripts/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
