#!/usr/bin/env bash
# Make sure a Docker engine answers. Where none does and we are root on Debian,
# install docker.io (and mmdebstrap for offline image builds) and start dockerd.
set -euo pipefail

# xfsprogs: parity keeps cached filled clusters on a loop-mounted XFS with reflinks when it can
# (parity/engine/clones.py); installed here, where we may, so the tests exercise that path too.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && ! command -v mkfs.xfs >/dev/null 2>&1; then
  echo "==> installing xfsprogs with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xfsprogs >/dev/null || echo "xfsprogs not installed: cached clusters are copied, not cloned" >&2
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "No Docker engine answers, and this is not a root Debian machine parity can set up." >&2
  echo "Fix: start a Docker engine (or set DOCKER_HOST), then run this again." >&2
  exit 3
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]} with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

log=${PARITY_DOCKERD_LOG:-/var/log/parity-dockerd.log}
echo "==> starting dockerd (log: $log)"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "==> Docker engine is up"
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within 60s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 3
