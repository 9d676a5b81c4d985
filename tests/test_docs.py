"""The documentation as a reader meets it: the command reference matches the commands, every
command shown parses, the tutorial runs on a fresh demo copy, and the README stays short."""

from __future__ import annotations

import filecmp
import importlib.util
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.paths import INPUTS
from tests.test_cli import commands

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDES = [ROOT / "README.md", *sorted(p for p in DOCS.glob("*.md") if p.name != "commands.md")]
FENCE = re.compile(r"^[ \t]*```[\w-]*\n(.*?)^[ \t]*```", re.M | re.S)
runner = CliRunner()


def generator():
    spec = importlib.util.spec_from_file_location("gen_commands", DOCS / "gen_commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shown_commands(text: str, *, prose: bool = True) -> list[str]:
    """The ``qualcode ...`` lines of the code blocks of a page, in order, then (``prose``)
    those of its inline code, without their comments; syntax summaries
    (``[--per turn|participant]``, ``COMMAND``) are left out."""
    found = [line.strip() for block in FENCE.findall(text) for line in block.splitlines()
             if line.strip().startswith("qualcode ")]
    inline = re.findall(r"`(qualcode [^`]+)`", FENCE.sub("", text).replace("\n", " "))
    found += [span for span in inline if prose and not re.search(r"[\[|]|COMMAND", span)]
    return [re.split(r"\s{2,}#|\s#\s", line)[0].strip() for line in found]


def test_docs_command_reference_is_up_to_date():
    """docs/commands.md is what docs/gen_commands.py makes from the commands' help."""
    assert (DOCS / "commands.md").read_text(encoding="utf-8") == generator().render(), \
        "docs/commands.md is out of date: run python docs/gen_commands.py"


def test_docs_command_reference_fails_when_a_help_changes(monkeypatch):
    command = get_command(app)
    module = generator()
    agree = command.commands["agree"]
    monkeypatch.setattr(agree, "help", agree.help.replace("Inter-coder", "Intercoder"))
    monkeypatch.setattr(module, "get_command", lambda _app: command)
    assert "Intercoder agreement" in module.render()
    assert module.render() != (DOCS / "commands.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [p for p, _ in commands()], ids=" ".join)
def test_docs_every_command_is_in_the_reference_and_in_a_guide(path):
    """Each command has its section in the reference, and a guide page (or the README) says
    when to use it."""
    name = "qualcode " + " ".join(path)
    assert f"## {name}\n" in (DOCS / "commands.md").read_text(encoding="utf-8")
    pattern = re.compile(re.escape(name) + r"(?![\w-])")
    assert any(pattern.search(page.read_text(encoding="utf-8")) for page in GUIDES), name


def parse(line: str, *, mention: bool = False) -> None:
    """Parse a command line as the command would, without running it; a ``mention`` in a
    sentence ("from `qualcode init` to the checklist") may leave out required arguments."""
    words = shlex.split(line)[1:]
    command = get_command(app)
    while hasattr(command, "commands") and words and words[0] in command.commands:
        command = command.commands[words.pop(0)]
    assert words[:1] == ["--help"] or not hasattr(command, "commands"), f"{line}: no command"
    try:
        command.make_context(line, words)
    except Exception as error:  # help printed, or an example file that is not here
        missing = mention and str(error).startswith("Missing")
        if type(error).__name__ != "Exit" and "does not exist" not in str(error) \
                and not missing:
            raise AssertionError(f"{line}: {error}") from error


@pytest.mark.parametrize("page", GUIDES, ids=lambda p: p.name)
def test_docs_every_command_shown_parses(page):
    text = page.read_text(encoding="utf-8")
    blocks = shown_commands(text, prose=False)
    for line in blocks:
        parse(line)
    for line in shown_commands(text)[len(blocks):]:
        parse(line, mention=True)


def test_docs_shown_commands_are_found_and_a_wrong_one_fails():
    text = "Type `qualcode agree --coders A,B`:\n\n```sh\nqualcode run   # all\n```\n"
    assert shown_commands(text) == ["qualcode run", "qualcode agree --coders A,B"]
    with pytest.raises(AssertionError, match="--coder"):
        parse("qualcode agree --coder A")
    with pytest.raises(AssertionError, match="Missing"):
        parse("qualcode init")
    parse("qualcode init", mention=True)


def test_docs_tutorial_runs_on_a_fresh_demo_copy(tmp_path, monkeypatch, demo_copy):
    """Every command of the tutorial, up to "your own study", in a fresh ``init --demo``
    copy. ``qualcode serve``, from which the tutorial runs the analysis in the browser (as
    test_web_study does, end to end), is not started here: it takes the outputs of the
    session's run of the demo (the same inputs, checked here; test_cli checks that a run
    makes those same bytes)."""
    tutorial = (DOCS / "tutorial.md").read_text(encoding="utf-8").split("## 11.")[0]
    monkeypatch.chdir(tmp_path)
    ran = []
    for line in shown_commands(tutorial, prose=False):
        words = shlex.split(line)[1:]
        if words == ["serve"]:
            for item in INPUTS:
                same = (filecmp.dircmp(Path(item), demo_copy / item).diff_files == []
                        if Path(item).is_dir() else filecmp.cmp(item, demo_copy / item, False))
                assert same, item
            shutil.rmtree("analyses", ignore_errors=True)
            shutil.copytree(demo_copy / "analyses", "analyses")
        else:
            result = runner.invoke(app, words)
            assert result.exit_code == 0, f"{line}: {result.output}"
        ran.append(words[0])
        if words[:1] == ["init"]:
            monkeypatch.chdir(words[1])  # the tutorial's next line: cd my-study
    assert ran == ["init", "import", "codebook", "codebook", "serve", "assess", "audit"]
    for path in sorted(set(re.findall(r"`(analyses/[\w./-]+\.\w+)`", tutorial))):
        assert Path(path).is_file(), path


def test_docs_readme_is_short_and_links_into_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    for target in re.findall(r"\]\(((?:docs|benchmarks)/[^)#]*)\)", readme):
        assert (ROOT / target).exists(), target
