#!/usr/bin/env bash
# Builds the libFuzzer target in Tests/Fuzz/FuzzFrames.swift with the
# AMQPProtocol sources and runs it from a seed corpus made of the golden
# vectors. Usage, from anywhere:
#
#     Tests/Fuzz/run.sh [seconds] [extra libFuzzer flags...]     (default 60 s)
#
# Work files go to Tests/Fuzz/fuzz-work/ (the growing corpus, the binary)
# and crashes to Tests/Fuzz/crash-*; git ignores both. See docs/fuzzing.md.
set -euo pipefail

seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/Tests/Fuzz/fuzz-work"
swiftc="${SWIFTC:-swiftc}"
mkdir -p "$work/corpus" "$work/seeds"

# Seeds: every vector, framed as the harness expects (a config byte first),
# once with frame_max 131072 in one chunk and once with 4096 byte by byte;
# each captured client session whole, after its protocol header.
python3 - "$root/Protocol/vectors/vectors.json" "$work/seeds" <<'PY'
import json, os, sys
cases = json.load(open(sys.argv[1]))["cases"]
out = sys.argv[2]
sessions = {}
for n, case in enumerate(cases):
    data = bytes.fromhex(case["hex"])
    for config in (0xFD, 0x00):
        with open(os.path.join(out, f"vector-{n:03}-{config:02x}"), "wb") as f:
            f.write(bytes([config]) + data)
    if case["source"].endswith("capture") and not data.startswith(b"AMQP"):
        sessions.setdefault(case["source"], b"AMQP\x00\x00\x09\x01")
        sessions[case["source"]] += data
for n, stream in enumerate(sessions.values()):
    with open(os.path.join(out, f"session-{n}"), "wb") as f:
        f.write(bytes([0x2B]) + stream)   # config: frame_max 131072, protocol header, chunks of 71
PY

"$swiftc" -sanitize=fuzzer,address -parse-as-library -O -module-name FuzzFrames \
    "$root"/Sources/AMQPProtocol/*.swift "$root"/Sources/AMQPProtocol/Generated/*.swift \
    "$root/Tests/Fuzz/FuzzFrames.swift" -o "$work/fuzz-frames"

cd "$root/Tests/Fuzz"
exec "$work/fuzz-frames" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="$root/Tests/Fuzz/crash-" "$@" "$work/corpus" "$work/seeds"
