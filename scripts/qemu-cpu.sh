#!/usr/bin/env bash
# Runs a test binary under qemu-x86_64 user mode as the CPU model $QEMU_CPU (cargo's runner
# for x86-64 in scripts/test-all.sh), so that the tests take the paths that CPU makes the
# dispatchers choose. QEMU's notes about CPUID bits TCG cannot emulate are dropped.
set -euo pipefail
exec qemu-x86_64 -cpu "${QEMU_CPU:?name a QEMU CPU model}" "$@" \
    2> >(grep -v "TCG doesn't support requested feature" >&2)
