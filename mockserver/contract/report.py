"""What a run prints and writes: a progress line per operation, the summary tables, JUnit XML."""

from __future__ import annotations

from collections import Counter
from xml.etree import ElementTree

from .results import OperationReport, RunReport


def progress_line(report: OperationReport, done: int, total: int) -> str:
    position = f"[{done:>2}/{total}]" if total else "[walk]"
    return f"  {position} {report.label:<66.66} {report.requests:>4} req  {_statuses(report):<24.24} {_verdict(report)}"


def _statuses(report: OperationReport) -> str:
    return " ".join(f"{status}×{count}" for status, count in sorted(report.statuses.items())) or "-"


def _verdict(report: OperationReport) -> str:
    if report.skipped:
        return f"skipped ({report.skipped})"
    if report.failures:
        return "FAILED: " + ", ".join(report.failed_checks)
    return "ok"


def summary(run: RunReport) -> str:
    lines = ["", f"{'Operation':<66} {'Requests':>8}  {'Statuses':<28} Result", "-" * 118]
    for report in run.all:
        lines.append(f"{report.label:<66.66} {report.requests:>8}  {_statuses(report):<28.28} {_verdict(report)}")
    lines += ["", f"{'Check':<34} {'Responses':>9} {'Failures':>9}", "-" * 54]
    runs: Counter = sum((r.runs for r in run.all), Counter())
    failed: Counter = Counter()
    for failure in run.failures:
        failed[failure.check] += failure.count
    for name in sorted(set(runs) | set(failed)):
        lines.append(f"{name:<34} {runs[name]:>9} {failed[name]:>9}")
    for failure in run.failures:
        lines += ["", f"FAILED {failure.check} in {failure.operation} ({failure.count}×): {failure.title}",
                  _indent(failure.message.strip())]
        if failure.reproduce:
            lines.append(_indent(f"Reproduce: {failure.reproduce}"))
    exercised = sum(1 for r in run.operations if r.requests)
    skipped = sum(1 for r in run.operations if r.skipped)
    verdict = ("all checks passed" if run.ok else
               f"{len(run.failures)} failure(s) in checks: {', '.join(sorted({f.check for f in run.failures}))}")
    lines += ["", f"{exercised} operations exercised, {skipped} skipped, {len(run.walks)} link walks, "
                  f"{run.requests} requests in {run.seconds:.1f}s against {run.target}: {verdict}"]
    return "\n".join(lines)


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line for line in text.splitlines()[:30])


def junit_xml(run: RunReport) -> bytes:
    """One test case per (operation, check) that ran; skipped operations as skipped cases."""
    suite = ElementTree.Element("testsuite", name="mockserver contract", time=f"{run.seconds:.3f}")
    counts = Counter()
    for report in run.all:
        classname = f"contract.{report.operation_id}"
        if report.skipped:
            case = ElementTree.SubElement(suite, "testcase", classname=classname, name=report.label)
            ElementTree.SubElement(case, "skipped", message=report.skipped)
            counts["skipped"] += 1
            continue
        for check in sorted(report.runs):
            case = ElementTree.SubElement(suite, "testcase", classname=classname, name=f"{report.label} :: {check}")
            for failure in (f for f in report.failures if f.check == check):
                node = ElementTree.SubElement(case, "failure", message=f"{check}: {failure.title}")
                node.text = f"{failure.message}\n\nReproduce: {failure.reproduce}"
                counts["failures"] += 1
            counts["tests"] += 1
    suite.set("tests", str(counts["tests"] + counts["skipped"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("skipped", str(counts["skipped"]))
    suite.set("errors", "0")
    return ElementTree.tostring(ElementTree.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True)
