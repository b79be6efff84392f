"""What a conformance run prints and writes: progress, the differences grouped by cause, JUnit XML."""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree

from .results import ExchangeResult, Report

_CLEAR = "\r\x1b[K"
EXAMPLES = 3  # sources shown under each cause


class Progress:
    """A bar redrawn in place on a terminal (an exchange with differences keeps its own line);
    elsewhere only the exchanges with differences, one line each."""

    width = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.tty = stream, stream.isatty()

    def __call__(self, result: ExchangeResult, done: int, total: int) -> None:
        if result.differences:
            causes = "; ".join(dict.fromkeys(d.cause for d in result.differences))
            self.stream.write(f"{_CLEAR if self.tty else ''}  DIFF {result.exchange.source}: {causes[:160]}\n")
        if self.tty:
            filled = self.width * done // total if total else self.width
            self.stream.write(f"{_CLEAR}  [{'#' * filled}{'-' * (self.width - filled)}] {done}/{total} {result.label:.50}")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write(_CLEAR)
            self.stream.flush()


def summary(report: Report) -> str:
    groups = report.by_cause()
    lines = [""]
    if groups:
        lines += [f"{'Exchanges':>9}  {'Check':<7} {'Route':<44} Cause", "-" * 110]
        for (route, check, cause), count in sorted(groups.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"{count:>9}  {check:<7} {route:<44.44} {cause}")
            for source in _examples(report, route, check, cause):
                lines.append(f"{'':>18} e.g. {source}")
        lines.append("")
    differing = sum(1 for r in report.results if r.differences)
    stateless = sum(r.stateless for r in report.results)
    skipped = sum(1 for r in report.results if r.skipped)
    lines.append(report.tokens.summary())
    verdict = "no differences" if report.ok else f"{differing} with differences"
    lines.append(f"{len(report.results)} exchanges replayed against {report.target} in {report.seconds:.1f}s "
                 f"({stateless} by the stateless mock, {skipped} not compared): {verdict}")
    return "\n".join(lines)


def _examples(report: Report, route: str, check: str, cause: str) -> list[str]:
    found = [r.exchange.source for r in report.results
             if r.label == route and any(d.check == check and d.cause == cause for d in r.differences)]
    return found[:EXAMPLES]


def junit_xml(report: Report) -> bytes:
    """One test case per exchange; its differences as one failure, an uncompared exchange as skipped."""
    suite = ElementTree.Element("testsuite", name="mockserver conformance", time=f"{report.seconds:.3f}")
    failures = skipped = 0
    for result in report.results:
        source = result.exchange.source
        case = ElementTree.SubElement(suite, "testcase", classname=source.rsplit("#", 1)[0],
                                      name=f"{source.rsplit('#', 1)[-1]} {result.label}")
        if result.differences:
            failures += 1
            node = ElementTree.SubElement(case, "failure", message=result.differences[0].cause)
            node.text = "\n".join(f"[{d.check}] {d.cause}" + (f": {d.detail}" if d.detail else "")
                                  for d in result.differences)
        elif result.skipped:
            skipped += 1
            ElementTree.SubElement(case, "skipped", message=result.skipped)
    suite.set("tests", str(len(report.results)))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", "0")
    return ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)
