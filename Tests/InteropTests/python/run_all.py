"""Runs every scenario (or the ones named) against $AMQP_URL, in parallel, and prints one
line per scenario plus a closing "N passed, N failed". Not a scenario itself.

    AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ .build/interop-venv/bin/python \
        Tests/InteropTests/python/run_all.py [-j JOBS] [scenario ...]
"""

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
NOT_SCENARIOS = {"common.py", "run_all.py"}


def all_scenarios():
    return sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".py") and f not in NOT_SCENARIOS)


def run_one(name):
    started = time.monotonic()
    try:
        p = subprocess.run([sys.executable, os.path.join(HERE, name + ".py")], capture_output=True, text=True,
                           timeout=180, stdin=subprocess.DEVNULL,
                           env=dict(os.environ, PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1"))
        return name, p.returncode, p.stdout, p.stderr, time.monotonic() - started
    except subprocess.TimeoutExpired as e:
        return name, "timeout", e.stdout or "", e.stderr or "", time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-j", "--jobs", type=int, default=4)
    parser.add_argument("-v", "--verbose", action="store_true", help="print the output of passing scenarios too")
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    if not os.environ.get("AMQP_URL"):
        sys.exit("AMQP_URL is not set")
    names = args.scenarios or all_scenarios()
    unknown = [n for n in names if n not in all_scenarios()]
    if unknown:
        sys.exit("unknown scenarios: %s (have %s)" % (unknown, all_scenarios()))
    passed = failed = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, status, out, err, secs in pool.map(run_one, names):
            ok = status == 0
            passed += ok
            failed += not ok
            print("%s %s (%.1fs)" % ("PASS" if ok else "FAIL", name, secs), flush=True)
            if not ok or args.verbose:
                print("".join("    | " + l + "\n" for l in (out + err).splitlines()), end="", flush=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
