"""Cold start: process spawn until the logon dialog has been painted, against a bare
PySide6 program that shows one QDialog. Same interpreter, interleaved runs, medians."""

from __future__ import annotations

import statistics
import sys
import time

from common import ENV, ROOT, ms, run_python, table, temp_dir

PROBE = str(ROOT / "benchmarks" / "_startup_probe.py")
TARGET = 1.5


def prepare_store() -> str:
    folder = temp_dir("startup")
    run_python(["-m", "tapemaster_qt.cli", "--data-dir", str(folder), "init",
                "--password-stdin"], input="Bench-Admin-2026\n")
    return str(folder)


def spawn(args: list[str]) -> float:
    start = time.perf_counter()
    out = run_python([PROBE, *args])
    elapsed = time.perf_counter() - start
    if "shown" not in out.stdout:
        raise SystemExit(f"probe did not show its window: {out.stderr}")
    return elapsed


def main(runs: int = 7) -> dict[str, float]:
    folder = prepare_store()
    spawn(["baseline"])  # warm the OS file cache for both
    spawn(["app", "--data-dir", folder])
    base, app = [], []
    for _ in range(runs):
        base.append(spawn(["baseline"]))
        app.append(spawn(["app", "--data-dir", folder]))
    b, a = statistics.median(base), statistics.median(app)
    ratio = a / b
    print(table(
        f"Cold start to the first window painted (median of {runs}, {ENV['QT_QPA_PLATFORM']})",
        [("program", "median", "min", "max"),
         ("bare PySide6 QDialog", ms(b), ms(min(base)), ms(max(base))),
         ("TapeMaster logon dialog", ms(a), ms(min(app)), ms(max(app))),
         ("ratio", f"{ratio:.2f}x", f"target <= {TARGET}x",
          "met" if ratio <= TARGET else "MISSED")],
    ))
    return {"baseline_s": b, "app_s": a, "ratio": ratio}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
