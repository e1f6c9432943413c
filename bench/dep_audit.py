"""Known vulnerabilities in the locked dependencies: ``pip-audit`` over ``uv export`` of uv.lock.

Run from the repository root (needs network access to the vulnerability service)::

    uv run python bench/dep_audit.py [--service osv|pypi]

The last line is the result: ``N of M packages audited, K known vulnerabilities`` (exit 0, or 1
when K > 0), or ``could not reach vulnerability service`` (exit 2) when the service is offline.
With only a package index reachable, ``-s pypi`` does not fail: pip-audit reports every package as
"not found on PyPI" and exits 0, so the report is read and an audit that skipped most packages
counts as unreachable, never as clean.

The lock is exported with exact versions and hashes and audited as it is (``--no-deps
--disable-pip``): nothing is resolved or installed, so the audit sees the versions a deployment
gets. pip-audit is run through ``uv run --with`` and is not a dependency of newsmon.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNREACHABLE = ("ConnectionError", "NameResolutionError", "Max retries", "timed out")


@dataclass(frozen=True)
class Audit:
    """What pip-audit's JSON report says: vulnerabilities found and packages it could not check."""

    audited: int
    skipped: list[tuple[str, str]]
    vulnerable: list[tuple[str, str, str, str]]
    """(package, version, vulnerability id, fixed in)"""


def read_report(text: str) -> Audit:
    """Parse ``pip-audit -f json`` output."""
    data = json.loads(text)
    audited, skipped, vulnerable = 0, [], []
    for dep in data.get("dependencies", []):
        if "skip_reason" in dep:
            skipped.append((dep["name"], dep["skip_reason"]))
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix"
            vulnerable.append((dep["name"], dep.get("version", "?"), vuln["id"], fixed))
    return Audit(audited, skipped, vulnerable)


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
            [*audit, "-r", str(requirements), "-s", args.service, "-f", "json", *options],
            capture_output=True,
            text=True,
        )
    if not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        if any(marker in done.stderr for marker in _UNREACHABLE):
            print(f"RESULT: could not reach vulnerability service {args.service}; nothing audited")
        else:
            print("RESULT: pip-audit could not run")
        print(f"  {last[:300]}", file=sys.stderr)
        sys.exit(2)
    report = read_report(done.stdout)
    for name, version, vuln, fixed in report.vulnerable:
        print(f"  {name} {version}: {vuln} (fixed in {fixed})")
    if report.skipped:
        reasons = sorted({reason.split(":")[0] for _, reason in report.skipped})
        print(f"  {len(report.skipped)} packages not audited: {'; '.join(reasons)[:300]}")
    if report.audited == 0 or len(report.skipped) * 2 > count:
        # PyPI's JSON API unreachable reads as "not found on PyPI" for every package
        print(
            f"RESULT: could not reach vulnerability service {args.service}: "
            f"{report.audited} of {count} packages audited"
        )
        sys.exit(2)
    print(
        f"RESULT: {report.audited} of {count} packages audited, "
        f"{len(report.vulnerable)} known vulnerabilities"
    )
    sys.exit(1 if report.vulnerable else 0)


if __name__ == "__main__":
    main()
