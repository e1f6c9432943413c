"""Known vulnerabilities in the locked dependencies: ``pip-audit`` over ``uv export`` of uv.lock.

Run from the repository root (needs network access to the vulnerability service)::

    uv run python bench/dep_audit.py [--service osv|pypi]

The lock is exported with exact versions and hashes and audited as it is (``--no-deps
--disable-pip``): nothing is resolved or installed, so the audit sees the versions a deployment
gets. pip-audit is run through ``uv run --with`` and is not a dependency of newsmon.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", choices=["osv", "pypi"], default="osv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsmon-audit-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        export = ["uv", "export", "--format", "requirements-txt", "--no-emit-project", "--no-dev"]
        subprocess.run([*export, "--output-file", str(requirements), "--quiet"], check=True)
        count = sum(
            1 for line in requirements.read_text().splitlines() if "==" in line.split("#")[0]
        )
        print(f"auditing {count} locked runtime packages against {args.service}")
        audit = ["uv", "run", "--no-project", "--with", "pip-audit", "pip-audit"]
        options = ["--no-deps", "--disable-pip", "--desc", "off", "--progress-spinner", "off"]
        done = subprocess.run(
            [*audit, "-r", str(requirements), "-s", args.service, *options],
            capture_output=True,
            text=True,
        )
    print(done.stdout, end="")
    if done.returncode and not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        print(f"pip-audit could not run: {last[:300]}", file=sys.stderr)
        sys.exit(2)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
