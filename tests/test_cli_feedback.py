"""Honest feedback from the command line: bind before the summary, one line (never a traceback) for a
user's mistake, help text and a default for every option, the record/replay mode in the summary."""

from __future__ import annotations

import argparse
import subprocess
import sys

from mockserver import cli
from mockserver.config import Config
from mockserver.server import MockServer
from mockserver.summary import startup_summary


def _mockserver(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockserver", *args], capture_output=True, text=True,
                          timeout=timeout)


def _one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1]


def test_a_busy_port_is_one_line_and_no_summary():
    with MockServer(Config()) as busy:
        result = _mockserver("serve", "--port", str(busy.port))
    assert "cannot listen on 127.0.0.1:" in _one_line_error(result, 1)


def test_a_missing_spec_file_is_one_line(tmp_path):
    line = _one_line_error(_mockserver("serve", "--spec", str(tmp_path / "missing.yaml")), 2)
    assert "missing.yaml" in line and "No such file" in line


def test_a_mistyped_cassette_folder_stops_before_serving(tmp_path):
    line = _one_line_error(_mockserver("serve", "--cassettes", str(tmp_path / "casettes")), 2)
    assert "casettes: no such folder" in line


def test_validate_without_its_extra_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "openapi_spec_validator", None)  # import fails as when not installed
    assert cli.validate(cli.DEFAULT_SPEC) == 2
    assert "pip install openapi-spec-validator" in capsys.readouterr().err


def test_every_serve_option_has_help_and_shows_its_default():
    serve = _subparser(cli.build_parser(), "serve")
    text = serve.format_help()
    for action in serve._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{action.option_strings[0]} has no help text"
        if action.default not in (None, False, [], ()):
            shown = serve._get_formatter()._get_help_string(action) or ""
            assert "default" in shown, f"{action.option_strings[0]} does not show its default"
    assert "--port PORT" in text and "(default: 4010)" in text


def test_the_summary_names_replay_and_its_cassettes(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.yaml", "sub/b.yaml"):
        (tmp_path / name).write_text("version: 1\ninteractions: []\n")
    replay = startup_summary(Config(cassettes=tmp_path), 4010)
    assert f"record   replay from {tmp_path} (2 cassettes); on a miss: 599 mock_cassette_miss" in replay
    recording = startup_summary(Config(cassettes=tmp_path / "new", proxy="https://api.anthropic.com"), 4010)
    assert "record   once: proxy to https://api.anthropic.com, cassettes in" in recording
    assert "record" not in startup_summary(Config(), 4010).split("mode", 1)[1].split("\n")[1]


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    actions = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return actions.choices[name]

