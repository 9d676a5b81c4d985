"""The hierarchical codebook: load it from YAML, validate it, walk it.

A codebook is a tree of codes with dot-path ids (``housing.private_room``): the parent of a
code is its id without the last part, so the tree can be written nested (``children:``) or
flat, and cannot hold a cycle. Each code has a bilingual label, a definition, inclusion and
exclusion criteria, examples, its origin (deductive or inductive), and may name the design
requirement it supports. Codes with children are categories, not codable, unless they say
``codable: true``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.errors import CodebookError
from qualcode.io.yamlfile import check_keys, line_of, read_yaml

ORIGINS = ("deductive", "inductive")
SECTIONS = ("capacity", "location", "spaces", "services", "management", "costs", "timeline",
            "other")
"""The parts of a *programme fonctionnel* (functional brief) that a requirement category maps
to, in the order the checklist lays them out."""
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_CODE_KEYS = ("id", "label", "definition", "include", "exclude", "examples", "origin",
              "requirement", "children", "codable")


@dataclass(frozen=True, slots=True)
class Requirement:
    """A design requirement a code supports, in each language, with a category."""

    id: str
    text: Mapping[str, str]
    category: str


@dataclass(frozen=True, slots=True)
class RequirementCategory:
    """A category of requirements the codebook declares (``requirement_categories:``), its
    label in each language and the section of the functional brief it belongs to."""

    id: str
    label: Mapping[str, str]
    section: str = "other"


@dataclass(frozen=True, slots=True)
class Code:
    """One node of the codebook. Text fields map a language (``fr``, ``en``) to a string."""

    id: str
    label: Mapping[str, str]
    definition: Mapping[str, str]
    include: Mapping[str, str]
    exclude: Mapping[str, str]
    examples: tuple[str, ...]
    origin: str
    codable: bool
    requirement: Requirement | None
    line: int

    @property
    def parent(self) -> str | None:
        return self.id.rpartition(".")[0] or None

    @property
    def depth(self) -> int:
        return self.id.count(".")

    @property
    def domain(self) -> str:
        """The top-level category the code belongs to."""
        return self.id.partition(".")[0]


@dataclass(frozen=True, slots=True)
class Codebook:
    """A validated codebook; ``codes`` are in document order (each parent before its
    children)."""

    id: str
    title: Mapping[str, str]
    language: str
    version: str
    codes: tuple[Code, ...]
    path: Path | None = None
    categories: tuple[RequirementCategory, ...] = ()

    def category(self, category_id: str) -> RequirementCategory:
        """A requirement category; one the codebook does not declare is in "other"."""
        return next((c for c in self.categories if c.id == category_id),
                    RequirementCategory(category_id, {self.language: category_id}))

    def __getitem__(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def __contains__(self, code_id: object) -> bool:
        return any(code.id == code_id for code in self.codes)

    def children(self, code_id: str | None) -> tuple[Code, ...]:
        return tuple(code for code in self.codes if code.parent == code_id)

    @property
    def domains(self) -> tuple[Code, ...]:
        return self.children(None)

    @property
    def codable(self) -> tuple[Code, ...]:
        return tuple(code for code in self.codes if code.codable)

    def text(self, value: Mapping[str, str], language: str | None = None) -> str:
        """``value`` in ``language``, else in the codebook's language, else any."""
        for lang in (language, self.language):
            if lang in value:
                return value[lang]
        return next(iter(value.values()), "")

    def closest(self, code_id: str, n: int = 3) -> list[str]:
        """Valid ids closest to a mistyped one, for error messages."""
        return difflib.get_close_matches(code_id, [c.id for c in self.codes], n=n)


def load_codebook(path: Path) -> Codebook:
    """Read and validate a codebook YAML file; errors name the line to fix."""
    path = Path(path)
    data = read_yaml(path, CodebookError)
    data = check_keys(data, what="the codebook", path=path, error=CodebookError,
                      required=("id", "codes"),
                      optional=("title", "language", "version", "description",
                                "requirement_categories"))
    language = str(data.get("language", "fr"))
    if not isinstance(data["codes"], list):
        raise CodebookError("'codes' must be a list of codes ('- id: ...')", path=path,
                            line=line_of(data, "codes"))
    codes = list(_walk(data["codes"], None, path, language))
    if not codes:
        raise CodebookError("the codebook has no codes", path=path)
    _check_tree(codes, path)
    categories = _categories(data, path, language)
    _check_categories(codes, categories, path)
    title = _text(data.get("title") or data["id"], "title", data, path, language)
    return Codebook(str(data["id"]), title, language, str(data.get("version", "")),
                    tuple(codes), path, categories)


def _categories(data: Mapping, path: Path, language: str) -> tuple[RequirementCategory, ...]:
    """``requirement_categories:``: ``- {id: costs, label: {fr: ..., en: ...}, section:
    costs}`` (optional; without it any category word is accepted)."""
    items = data.get("requirement_categories") or []
    if not isinstance(items, list):
        raise CodebookError("requirement_categories must be a list ('- {id: ..., label: ..., "
                            "section: ...}')", path=path,
                            line=line_of(data, "requirement_categories"))
    categories = []
    for item in items:
        item = check_keys(item, what="a requirement category", path=path,
                          error=CodebookError, required=("id",),
                          optional=("label", "section"),
                          line=line_of(data, "requirement_categories"))
        section = item.get("section", "other")
        if section not in SECTIONS:
            raise CodebookError(f"section '{section}' of requirement category '{item['id']}' "
                                f"must be one of {', '.join(SECTIONS)}", path=path,
                                line=line_of(item, "section"))
        label = _text(item.get("label") or str(item["id"]), "label", item, path, language,
                      where=f"requirement category '{item['id']}'")
        categories.append(RequirementCategory(str(item["id"]), label, section))
    return tuple(categories)


def _check_categories(codes: list[Code], categories: tuple[RequirementCategory, ...],
                      path: Path) -> None:
    declared = [c.id for c in categories]
    for code in codes:
        if declared and code.requirement is not None and \
                code.requirement.category not in declared:
            raise CodebookError(f"requirement category '{code.requirement.category}' of code "
                                f"'{code.id}' is not declared; use one of "
                                f"{', '.join(declared)}, or add it to requirement_categories",
                                path=path, line=code.line)


def _walk(items: list, parent: str | None, path: Path, language: str) -> Iterator[Code]:
    for item in items:
        item = check_keys(item, what="a code", path=path, error=CodebookError,
                          required=("id",), optional=_CODE_KEYS, line=line_of(items))
        code_id = str(item["id"])
        line = line_of(item, "id")
        if not _CODE_ID.match(code_id):
            raise CodebookError(f"code id '{code_id}' must be a dot path of lower-case "
                                "words such as 'housing.private_room'", path=path, line=line)
        if parent is not None and not code_id.startswith(parent + "."):
            raise CodebookError(f"code '{code_id}' is nested under '{parent}'; its id must "
                                f"start with '{parent}.'", path=path, line=line)
        children = item.get("children") or []
        if not isinstance(children, list):
            raise CodebookError(f"'children' of '{code_id}' must be a list of codes",
                                path=path, line=line_of(item, "children"))
        yield _code(item, code_id, bool(children), path, language)
        yield from _walk(children, code_id, path, language)


def _code(item: Mapping, code_id: str, has_children: bool, path: Path, language: str) -> Code:
    where = f"code '{code_id}'"
    label = _text(item.get("label"), "label", item, path, language, where=where)
    definition = _text(item.get("definition"), "definition", item, path, language, where=where)
    examples = item.get("examples") or []
    if isinstance(examples, str):
        examples = [examples]
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip()
                                                 for e in examples):
        raise CodebookError(f"examples of {where} must be a list of quotes", path=path,
                            line=line_of(item, "examples"))
    origin = item.get("origin", "deductive")
    if origin not in ORIGINS:
        raise CodebookError(f"origin '{origin}' of {where} must be one of "
                            f"{', '.join(ORIGINS)}", path=path, line=line_of(item, "origin"))
    codable = item.get("codable", not has_children)
    if not isinstance(codable, bool):
        raise CodebookError(f"codable of {where} must be true or false", path=path,
                            line=line_of(item, "codable"))
    optional = {key: _text(item[key], key, item, path, language, where=where)
                if item.get(key) else {} for key in ("include", "exclude")}
    return Code(code_id, label, definition, optional["include"], optional["exclude"],
                tuple(e.strip() for e in examples), origin, codable,
                _requirement(item.get("requirement"), item, path, where),
                line_of(item, "id") or 0)


def _text(value: Any, key: str, item: Mapping, path: Path, language: str, *,
          where: str = "the codebook") -> dict[str, str]:
    """A text field: a string (in the codebook's language) or a mapping language -> string."""
    if isinstance(value, str):
        value = {language: value}
    if not isinstance(value, Mapping) or not value or not all(
            isinstance(v, str) and v.strip() for v in value.values()):
        raise CodebookError(f"{where} has an empty or missing {key}; write it as text, or "
                            f"as {{fr: ..., en: ...}}", path=path, line=line_of(item, key)
                            or line_of(item))
    return {str(lang): " ".join(text.split()) for lang, text in value.items()}


def _requirement(value: Any, item: Mapping, path: Path, where: str) -> Requirement | None:
    if value is None:
        return None
    value = check_keys(value, what=f"the requirement of {where}", path=path,
                       error=CodebookError, required=("id", "category"),
                       optional=("fr", "en"), line=line_of(item, "requirement"))
    texts = {lang: " ".join(str(value[lang]).split()) for lang in ("fr", "en") if value.get(lang)}
    if not texts:
        raise CodebookError(f"the requirement of {where} has no text; add 'fr:' and 'en:'",
                            path=path, line=line_of(value))
    return Requirement(str(value["id"]), texts, str(value["category"]))


def _check_tree(codes: list[Code], path: Path) -> None:
    seen: dict[str, int] = {}
    requirements: dict[str, str] = {}
    for code in codes:
        if code.id in seen:
            raise CodebookError(f"code '{code.id}' is defined twice (lines {seen[code.id]} and "
                                f"{code.line}); code ids must be unique", path=path,
                                line=code.line)
        if code.parent is not None and code.parent not in seen:
            raise CodebookError(f"code '{code.id}' has unknown parent '{code.parent}'; define "
                                f"'{code.parent}' before it, or fix the id", path=path,
                                line=code.line)
        seen[code.id] = code.line
        if code.requirement is not None:
            other = requirements.setdefault(code.requirement.id, code.id)
            if other != code.id:
                raise CodebookError(f"requirement '{code.requirement.id}' is used by '{other}' "
                                    f"and '{code.id}'; requirement ids must be unique",
                                    path=path, line=code.line)
