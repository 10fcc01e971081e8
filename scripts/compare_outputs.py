"""Compare the published outputs of two checkouts on the same sample inbox: CSVs byte for byte, PDFs by their text.

    python scripts/compare_outputs.py produce CHECKOUT FOLDER    # run `assess demo` of CHECKOUT into FOLDER
    python scripts/compare_outputs.py compare BEFORE AFTER       # compare two FOLDERs' latest versions

`produce` runs the checkout's own code (its folder first on the path) on the demo's sample inbox
(seed 2026, two years), with its database, archive and logs inside FOLDER. `compare` walks every
`<cycle>/<period>/latest/` of both, compares every CSV byte for byte and every PDF's `pdftotext -layout`
text, and prints each difference (a unified diff of the text for PDFs); it exits 1 when anything differs.
Manifests are not compared: they hold run ids, times and paths by design.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path


def produce(checkout: Path, folder: Path) -> None:
    """Run the demo of `checkout` into `folder` (which must not exist yet)."""
    folder.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(checkout.resolve()), ASSESS_DATA_DIR=str((folder / "data").resolve()))
    subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--folder", str(folder.resolve())],
                   cwd=checkout, env=env, check=True)


def _latest_files(out: Path) -> dict[Path, Path]:
    """Every file of every `latest` version under `out`, by its path relative to `out` with `latest` kept."""
    files = {}
    for latest in sorted(out.glob("*/*/latest")):
        for path in sorted(latest.resolve().rglob("*")):
            if path.is_file() and path.name != "manifest.json":
                files[latest.relative_to(out) / path.relative_to(latest.resolve())] = path
    return files


def _pdf_text(path: Path) -> list[str]:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    # Every line ends in a newline, the last too, so that one file's diff never runs into the next one's header.
    return [line.rstrip("\n") + "\n" for line in result.stdout.splitlines()]


def compare(before: Path, after: Path) -> int:
    """Print the differences between two produced folders; the number of differing files."""
    old, new = _latest_files(before / "out"), _latest_files(after / "out")
    differing = 0
    for name in sorted(old.keys() - new.keys()):
        print(f"只在前者: {name}")
        differing += 1
    for name in sorted(new.keys() - old.keys()):
        print(f"只在后者: {name}")
        differing += 1
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name], new[name]
        if name.suffix == ".pdf":
            diff = list(difflib.unified_diff(_pdf_text(a), _pdf_text(b), f"before/{name}", f"after/{name}", n=1))
            if diff:
                differing += 1
                sys.stdout.writelines(diff)
        elif a.read_bytes() != b.read_bytes():
            differing += 1
            print(f"内容不同: {name}")
    print(f"比较了 {len(old.keys() | new.keys())} 个文件,{differing} 个不同。")
    return differing


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "produce":
        produce(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return 1 if compare(Path(argv[1]), Path(argv[2])) else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
