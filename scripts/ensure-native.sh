#!/usr/bin/env bash
# Makes sure this machine can load TorchSharp 0.107's native library, which needs libstdc++ with GLIBCXX_3.4.32
# (GCC 13+). Debian 12 ships GCC 12's libstdc++; on Debian 12 as root this installs libstdc++6 from Debian 13
# ("trixie", which also brings glibc 2.41). Anywhere else it stops with the exact command to run.
set -euo pipefail

# awk reads all of ldconfig's output (an early exit would SIGPIPE ldconfig and, with pipefail, fail this script).
libstdcxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 / && !found {print $NF; found = 1}') || libstdcxx=""
if [ -n "$libstdcxx" ] && grep -aq GLIBCXX_3.4.32 "$libstdcxx"; then
  exit 0
fi

fix_cmd='echo "Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" > /etc/apt/sources.list.d/dash-trixie.sources && apt-get update && apt-get install -y -t trixie libstdc++6'

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
if [ "$(id -u)" != 0 ] || [ "$codename" != bookworm ]; then
  echo "dash: TorchSharp needs libstdc++ with GLIBCXX_3.4.32 (GCC 13 or newer); ${libstdcxx:-libstdc++.so.6} lacks it." >&2
  if [ "$codename" = bookworm ]; then
    echo "dash: as root, run:  sudo bash -c '$fix_cmd'" >&2
  else
    echo "dash: install a libstdc++6 from GCC 13 or newer with your distribution's package manager (Ubuntu 24.04+ and Debian 13+ have one)." >&2
  fi
  exit 1
fi

echo "dash: installing libstdc++6 from Debian 13 (trixie): TorchSharp needs GLIBCXX_3.4.32, Debian 12 has only 3.4.30." >&2
if [ ! -f /etc/apt/sources.list.d/dash-trixie.sources ]; then
  cat > /etc/apt/sources.list.d/dash-trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  # Keep bookworm the default; trixie is used only when asked for with -t.
  cat > /etc/apt/preferences.d/dash-trixie <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq -t trixie libstdc++6 >/dev/null
echo "dash: libstdc++6 installed." >&2
