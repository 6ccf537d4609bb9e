#!/usr/bin/env bash
# Prepares the prerequisites of the interop suite. Idempotent and fast when already done.
#   - a Python venv at <package root>/.build/interop-venv with pika and aio-pika (from PyPI)
#   - Debian's amqp-tools (amqp-publish, amqp-get, amqp-consume, amqp-declare-queue)
# Exits non-zero with a clear message if anything cannot be installed: the tests must
# fail, never skip, when a prerequisite is missing.
set -u -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${INTEROP_VENV:-$root/.build/interop-venv}"

die() { echo "interop setup: ERROR: $*" >&2; exit 1; }

# One run at a time: the interop suite and the durability tests may call this at once.
lock="$root/.build/interop-setup.lock"
{ mkdir -p "$root/.build" && exec 9>"$lock" && flock 9; } || die "cannot take the lock $lock"

# --- Python venv with pika and aio-pika -------------------------------------------------
py="$venv/bin/python"
if [ -x "$py" ] && "$py" -c 'import pika, aio_pika' >/dev/null 2>&1; then
    :
else
    base_python="$(command -v python3 || true)"
    [ -n "$base_python" ] || die "python3 not found on PATH; install python3 (with the venv module)"
    mkdir -p "$(dirname "$venv")" || die "cannot create $(dirname "$venv")"
    if [ ! -x "$py" ]; then
        if ! "$base_python" -m venv "$venv" >/dev/null 2>&1; then
            rm -rf "$venv"
            # Debian's python3 needs python3-venv for ensurepip.
            if command -v apt-get >/dev/null 2>&1; then
                apt-get install -y python3-venv >/dev/null 2>&1 \
                  || { apt-get update >/dev/null 2>&1 && apt-get install -y python3-venv >/dev/null 2>&1; }
            fi
            "$base_python" -m venv "$venv" || die "cannot create venv at $venv (python3 -m venv failed)"
        fi
    fi
    "$py" -m pip install --disable-pip-version-check -q pika aio-pika \
        || die "pip could not install pika and aio-pika into $venv"
    "$py" -c 'import pika, aio_pika' || die "pika/aio-pika still not importable from $venv"
fi

# --- Debian amqp-tools ------------------------------------------------------------------
need_tools() {
    for t in amqp-publish amqp-get amqp-consume amqp-declare-queue amqp-delete-queue; do
        command -v "$t" >/dev/null 2>&1 || return 0
    done
    return 1
}
if need_tools; then
    command -v apt-get >/dev/null 2>&1 || die "amqp-tools missing and apt-get not available"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y amqp-tools >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 \
            || echo "interop setup: warning: apt-get update failed" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y amqp-tools \
            || die "apt-get install -y amqp-tools failed"
    fi
    need_tools && die "amqp-tools installed but amqp-publish/amqp-get/amqp-consume/amqp-declare-queue/amqp-delete-queue still missing"
fi

echo "interop setup: ok (venv $venv)"
