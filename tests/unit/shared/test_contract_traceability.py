"""docs/contract.md traces every clause of the support contract to its code and its tests; this
keeps that table honest: each clause names at least one test, and every test it names exists.

The table's rows are `| C-nn | section | obligation | code | tests |`; the tests cell holds
backticked pytest node ids without parameters (`tests/…/test_x.py::test_name` or
`tests/…/test_x.py::TestClass::test_name`), or `—` for none. Test files are read with `ast`,
never imported. The code cell's backticked paths (`path` or `path::Symbol`) must exist, and a
named symbol must be defined (at any depth) in that file.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "contract.md"

# As many clause rows as the table had when this was written; a shorter table lost rows.
MIN_CLAUSES = 42

# Clauses nothing implements, so they name no test. Adding one here is a decision to review.
KNOWN_GAPS = {
    "C-05": "the provider's discretion to direct a customer from the telephone to the ticket "
    "system or email: exercised by people, nothing in Hotline to implement",
}

ROW = re.compile(r"^\|\s*(C-\d+)\s*\|")
CLAUSE_ID = re.compile(r"^C-\d{2,}$")
NODE_ID = re.compile(
    r"^(?P<path>tests/(?:[\w.-]+/)*test_\w+\.py)"
    r"::(?:(?P<cls>[A-Za-z_]\w*)::)?(?P<func>test\w*)$"
)


@dataclass(frozen=True)
class Clause:
    id: str
    line: int
    cells: tuple[str, ...]

    @property
    def tests(self) -> list[str]:
        return re.findall(r"`([^`]+)`", self.cells[4]) if len(self.cells) == 5 else []

    @property
    def code(self) -> list[str]:
        return re.findall(r"`([^`]+)`", self.cells[3]) if len(self.cells) == 5 else []


def clauses() -> list[Clause]:
    if not DOC.is_file():
        return []
    found = []
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        match = ROW.match(line)
        if match:
            cells = tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
            found.append(Clause(match.group(1), number, cells))
    return found


CLAUSES = clauses()
NAMED_TESTS = [(clause.id, ref) for clause in CLAUSES for ref in clause.tests]
NAMED_CODE = [(clause.id, ref) for clause in CLAUSES for ref in clause.code]


def test_the_table_is_there_and_not_trivially_short() -> None:
    assert DOC.is_file(), f"{DOC.relative_to(ROOT)} is missing"
    assert len(CLAUSES) >= MIN_CLAUSES, (
        f"{DOC.relative_to(ROOT)} has {len(CLAUSES)} clause rows, fewer than the {MIN_CLAUSES} "
        "it had: a row was lost (or the table's format changed so rows no longer parse)"
    )


def test_clause_ids_are_well_formed_and_unique() -> None:
    problems = [f"{c.id} (line {c.line}): not of the form C-nn" for c in CLAUSES
                if not CLAUSE_ID.match(c.id)]
    seen: dict[str, int] = {}
    for clause in CLAUSES:
        if clause.id in seen:
            problems.append(f"{clause.id} (line {clause.line}): id already used on line "
                            f"{seen[clause.id]}")
        seen.setdefault(clause.id, clause.line)
    assert not problems, "\n".join(problems)


def test_every_row_has_its_five_cells() -> None:
    problems = [f"{c.id} (line {c.line}): {len(c.cells)} cells, expected 5 "
                "(id, section, obligation, code, tests; no '|' inside a cell)"
                for c in CLAUSES if len(c.cells) != 5]
    assert not problems, "\n".join(problems)


def test_every_clause_names_a_test() -> None:
    problems = [f"{c.id} (line {c.line}): names no test" for c in CLAUSES
                if not c.tests and c.id not in KNOWN_GAPS]
    assert not problems, "\n".join(problems)


def test_known_gaps_are_rows_that_name_no_test() -> None:
    rows = {c.id: c for c in CLAUSES}
    problems = []
    for clause_id in KNOWN_GAPS:
        if clause_id not in rows:
            problems.append(f"{clause_id}: listed in KNOWN_GAPS but not in the table")
        elif rows[clause_id].tests:
            problems.append(f"{clause_id}: now names tests; remove it from KNOWN_GAPS")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("clause_id", "ref"), NAMED_TESTS,
                         ids=[f"{c} {r.replace('::', ':')}" for c, r in NAMED_TESTS])
def test_each_named_test_exists(clause_id: str, ref: str) -> None:
    match = NODE_ID.match(ref)
    assert match, (
        f"{clause_id}: {ref!r} is not a test node id of the form "
        "tests/.../test_x.py::test_name or tests/.../test_x.py::TestClass::test_name "
        "(no parameters)"
    )
    path, cls, func = match.group("path"), match.group("cls"), match.group("func")
    file = ROOT / path
    assert file.is_file(), f"{clause_id}: test file {path} does not exist (named as {ref})"
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=path)
    if cls:
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
        assert classes, f"{clause_id}: class {cls} is not defined in {path} (named as {ref})"
        body = classes[-1].body
    else:
        body = tree.body
    defined = {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    where = f"class {cls} of {path}" if cls else path
    hint = ""
    if not cls:
        hosts = [n.name for n in tree.body if isinstance(n, ast.ClassDef)
                 and any(isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and m.name == func for m in n.body)]
        if hosts:
            hint = f"; it is a method of {hosts[0]}: name it {path}::{hosts[0]}::{func}"
    assert func in defined, (
        f"{clause_id}: test function {func} is not defined in {where} (named as {ref}){hint}"
    )


@pytest.mark.parametrize(("clause_id", "ref"), NAMED_CODE,
                         ids=[f"{c} {r.replace('::', ':')}" for c, r in NAMED_CODE])
def test_each_named_piece_of_code_exists(clause_id: str, ref: str) -> None:
    path, _, symbol = ref.partition("::")
    file = ROOT / path
    assert file.exists(), f"{clause_id}: {path} does not exist (named as code: {ref})"
    if not symbol or not path.endswith(".py"):
        return
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=path)
    defined = {n.name for n in ast.walk(tree)
               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    defined |= {t.id for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign))
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                if isinstance(t, ast.Name)}
    last = symbol.split(".")[-1]
    assert last in defined, f"{clause_id}: {symbol} is not defined in {path} (named as code: {ref})"
