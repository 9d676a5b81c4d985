"""The study manifest (``study.yaml``) and the identities table (``identities.csv``).

``study.yaml`` says what the study is: sites, groups (focus groups or interviews) with their
transcript, participants with their pseudonym id and attributes, roles such as the moderator,
and coders. ``identities.csv`` maps the speaker labels and names that appear in the
transcripts to those ids; it holds real names, so it stays out of version control and nothing
from it is ever written to ``analyses/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import StudyError
from qualcode.io.cells import unguard
from qualcode.io.files import unreadable
from qualcode.io.yamlfile import check_keys, line_of, read_yaml
from qualcode.paths import IDENTITIES_FILE, STUDY_FILE, StudyPaths

CODING_UNITS = ("sentence", "turn")
LANGUAGES = ("fr", "en")
IDENTITY_COLUMNS = ("group_id", "speaker", "name", "participant_id")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ATTRIBUTE = re.compile(r"^\w[\w.-]{0,30}$")
_DIMENSIONS = ("site", "group", "study")


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Group:
    """A focus group (or interview) held at one site, with its transcript."""

    id: str
    site: str
    transcript: Path
    date: dt.date | None = None
    moderator: str | None = None
    observer: str | None = None
    invited: int | None = None
    attended: int | None = None
    location: str | None = None
    duration_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    group: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Role:
    """A speaker who is not a participant: moderator, observer, or a third party."""

    id: str
    label: str
    codable: bool = False


@dataclass(frozen=True, slots=True)
class Coder:
    id: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Study:
    """A validated ``study.yaml``; paths are absolute."""

    root: Path
    title: str
    language: str
    codebook: Path
    coding_unit: str
    sites: tuple[Site, ...]
    groups: tuple[Group, ...]
    participants: tuple[Participant, ...]
    roles: tuple[Role, ...] = ()
    coders: tuple[Coder, ...] = ()
    fictional: bool = False
    names_allowed: tuple[str, ...] = ()
    span_share: float = 0.5
    checklist: dict[str, Any] = field(default_factory=dict)
    study_kind: str = "focus_groups"
    participant_noun: tuple[str, str] | None = None
    topic: str | None = None
    audience: str | None = None
    site_kinds: dict[str, str] = field(default_factory=dict)
    attribute_labels: dict[str, str] = field(default_factory=dict)
    coreq: dict[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> StudyPaths:
        """Where every file and folder of the study is."""
        return StudyPaths(self.root)

    def site(self, site_id: str) -> Site:
        return next(site for site in self.sites if site.id == site_id)

    def speaker_ids(self) -> set[str]:
        """Every id a speaker can be mapped to: participants and roles."""
        return {p.id for p in self.participants} | {r.id for r in self.roles}

    def codable_ids(self) -> set[str]:
        """Speakers whose segments are coded: participants, and roles marked ``codable``."""
        return {p.id for p in self.participants} | {r.id for r in self.roles if r.codable}


@dataclass(frozen=True, slots=True)
class Identity:
    """One row of ``identities.csv``: a speaker label and/or real name -> a pseudonym id.

    ``group_id`` empty means the row applies to every group.
    """

    participant_id: str
    speaker: str = ""
    name: str = ""
    group_id: str = ""
    row: int = 0


_STUDY_KEYS = ("title", "language", "codebook", "coding_unit", "sites", "groups",
               "participants", "roles", "coders", "fictional", "names_allowed", "description",
               "checklist", "span_share", *(
                   # how the outputs speak of the study (all optional)
                   "study_kind", "participant_noun", "topic", "audience", "site_kinds",
                   "attribute_labels", "coreq"))
STUDY_KINDS = ("focus_groups", "interviews", "consultations")
COREQ_FIELDS = {
    "interviewer": 1, "credentials": 2, "occupation": 3, "gender": 4, "experience": 5,
    "relationship": 6, "participant_knowledge": 7, "interviewer_characteristics": 8,
    "methodology": 9, "sampling": 10, "approach": 11, "non_participation": 13,
    "setting": 14, "non_participants_present": 15, "interview_guide": 17,
    "repeat_interviews": 18, "recording": 19, "field_notes": 20, "saturation": 22,
    "transcripts_returned": 23, "feedback": 28, "consistency": 30, "major_themes": 31,
    "minor_themes": 32}
"""The keys of ``coreq:`` in ``study.yaml`` and the COREQ item (Tong et al. 2007) each
answers; the other items are filled from the study's data."""


def load_study(root: Path) -> Study:
    """Read and validate ``root/study.yaml``; raises :class:`StudyError` naming the line."""
    root = Path(root).resolve()
    path = root / STUDY_FILE
    if not path.is_file():
        raise StudyError(f"no {STUDY_FILE} here; run qualcode in a study folder, or create one "
                         "with 'qualcode init DIR' (add --demo for the demo study)", path=path)
    data = read_yaml(path, StudyError)
    data = check_keys(data, what="study.yaml", path=path, error=StudyError,
                      required=("title", "codebook", "sites", "groups", "participants"),
                      optional=_STUDY_KEYS)
    language = data.get("language", "fr")
    _check_choice(language, LANGUAGES, "language", data, path)
    unit = data.get("coding_unit", "sentence")
    _check_choice(unit, CODING_UNITS, "coding_unit", data, path)
    codebook = root / str(data["codebook"])
    if not codebook.is_file():
        raise StudyError(f"codebook file '{data['codebook']}' not found; fix the 'codebook' "
                         "path (relative to the study folder)", path=path,
                         line=line_of(data, "codebook"))
    sites = tuple(_site(item, path) for item in _items(data, "sites", path))
    _unique(sites, "site", data, "sites", path)
    roles = tuple(_role(item, path) for item in _items(data, "roles", path, required=False))
    groups = tuple(_group(item, root, path, {s.id for s in sites}) for item in
                   _items(data, "groups", path))
    _unique(groups, "group", data, "groups", path)
    participants = tuple(_participant(item, path, {g.id for g in groups}) for item in
                         _items(data, "participants", path))
    _unique(participants + roles, "participant or role", data, "participants", path)
    coders = tuple(_coder(item, path) for item in _items(data, "coders", path, required=False))
    _unique(coders, "coder", data, "coders", path)
    names_allowed = data.get("names_allowed") or []
    if not isinstance(names_allowed, list) or isinstance(names_allowed, str):
        raise StudyError("names_allowed must be a list of words, such as [Visale]", path=path,
                         line=line_of(data, "names_allowed"))
    share = data.get("span_share", 0.5)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise StudyError(f"span_share must be a number above 0 and at most 1, not {share!r}",
                         path=path, line=line_of(data, "span_share"))
    if any(isinstance(name, dict | list) for name in names_allowed):
        raise StudyError("names_allowed must be a list of words, such as [Visale]", path=path,
                         line=line_of(data, "names_allowed"))
    kind = data.get("study_kind", "focus_groups")
    _check_choice(kind, STUDY_KINDS, "study_kind", data, path)
    study = Study(root=root, title=_scalar(data, "title", "the study", path, expected="text"),
                  language=language, codebook=codebook,
                  coding_unit=unit, sites=sites, groups=groups, participants=participants,
                  roles=roles, coders=coders, fictional=_flag(data, "fictional", path),
                  names_allowed=tuple(str(n) for n in names_allowed),
                  span_share=float(share), checklist=_check_checklist(data, path),
                  study_kind=kind, participant_noun=_noun(data, path, language),
                  topic=_in_language(data, "topic", language, path),
                  audience=_in_language(data, "audience", language, path),
                  site_kinds=_words(data, "site_kinds", path, "{rural_town: petite ville}",
                                    language),
                  attribute_labels=_words(data, "attribute_labels", path,
                                          "{semester: Semestre}", language),
                  coreq=_coreq(data, path, language))
    _check_groups(study, data, path)
    return study


def _scalar(item: dict, key: str, what: str, path: Path, *,
            expected: str = "a single id") -> str | None:
    """A reference to another id (or, with ``expected="text"``, a text): a single value, not a
    list or mapping."""
    value = item.get(key)
    if isinstance(value, dict | list):
        raise StudyError(f"{key} of {what} must be {expected}, not {value!r}", path=path,
                         line=line_of(item, key))
    return None if value is None else str(value)


def _in_language(item: dict, key: str, language: str, path: Path, *,
                 what: str = "the study") -> Any:
    """A value of ``study.yaml`` that the outputs print: as is, or per language
    (``{fr: ..., en: ...}``, the study's language taken, else the first given)."""
    value = item.get(key)
    if isinstance(value, dict) and value and set(value) <= set(LANGUAGES):
        return value.get(language, next(iter(value.values())))
    if isinstance(value, dict | list) and key != "participant_noun":
        raise StudyError(f"{key} of {what} must be text, or text per language such as "
                         "{fr: ..., en: ...}", path=path, line=line_of(item, key))
    return None if value is None else value if key == "participant_noun" else str(value)


def _noun(data: dict, path: Path, language: str) -> tuple[str, str] | None:
    """``participant_noun``: one word (the plural adds an s) or ``[singular, plural]``, or
    either per language."""
    value = _in_language(data, "participant_noun", language, path)
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return value.strip(), value.strip() + "s"
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v.strip()
                                                           for v in value):
        return value[0].strip(), value[1].strip()
    raise StudyError(f"participant_noun must be a word or [singular, plural], such as "
                     f"[interne, internes], not {value!r}", path=path,
                     line=line_of(data, "participant_noun"))


def _words(data: dict, key: str, path: Path, example: str, language: str) -> dict[str, str]:
    """A mapping of ids to the words the outputs print for them (each as text, or text per
    language)."""
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise StudyError(f"{key} must map ids to words, such as {example}", path=path,
                         line=line_of(data, key))
    words = {str(k): _in_language(value, k, language, path, what=key) for k in value}
    if not all(isinstance(v, str) and v.strip() for v in words.values()):
        raise StudyError(f"{key} must map ids to words, such as {example}", path=path,
                         line=line_of(data, key))
    return words


def _coreq(data: dict, path: Path, language: str) -> dict[str, str]:
    """``coreq:``: the COREQ answers the data cannot give, one text per known key."""
    value = _words(data, "coreq", path, "{interviewer: ..., relationship: ...}", language)
    unknown = sorted(set(value) - set(COREQ_FIELDS))
    if unknown:
        raise StudyError(f"coreq: unknown key '{unknown[0]}'; use "
                         f"{', '.join(COREQ_FIELDS)}", path=path,
                         line=line_of(data.get("coreq"), unknown[0]) or line_of(data, "coreq"))
    return value


def _flag(item: dict, key: str, path: Path) -> bool:
    """A yes/no setting: YAML's true or false (a quoted "false" is text, and would be true)."""
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise StudyError(f"{key} must be true or false (without quotes), not {value!r}",
                         path=path, line=line_of(item, key))
    return value


def _check_checklist(data: dict, path: Path) -> dict:
    settings = data.get("checklist") or {}
    allowed = {"indispensable": {"share": float, "all_sites": bool, "site_share": float},
               "important": {"sites": int, "share": float}}
    line = line_of(data, "checklist")
    if not isinstance(settings, dict):
        raise StudyError("checklist must be a mapping such as {indispensable: {share: 0.4}, "
                         "important: {sites: 2, share: 0.25}}", path=path, line=line)
    for tier, values in settings.items():
        if tier not in allowed or not isinstance(values, dict):
            raise StudyError(f"checklist: '{tier}' must be indispensable or important, with "
                             "a mapping of thresholds", path=path, line=line)
        for key, value in values.items():
            kind = allowed[tier].get(key)
            ok = kind is not None and (isinstance(value, bool) if kind is bool else
                                       isinstance(value, int | float)
                                       and not isinstance(value, bool))
            if not ok:
                raise StudyError(f"checklist: {tier}.{key} = {value!r} is not a valid "
                                 f"threshold (allowed: {', '.join(allowed[tier])})",
                                 path=path, line=line_of(values, key))
    return dict(settings)


def _items(data: dict, key: str, path: Path, *, required: bool = True) -> list:
    items = data.get(key) or []
    if not isinstance(items, list) or (required and not items):
        raise StudyError(f"'{key}' must be a non-empty list (one '- id: ...' entry each)",
                         path=path, line=line_of(data, key))
    return items


def _check_id(item: dict, what: str, path: Path) -> str:
    value = str(item["id"])
    if not _ID.match(value):
        raise StudyError(f"{what} id '{value}' may only hold letters, digits, '_', '-' and '.'",
                         path=path, line=line_of(item, "id"))
    return value


def _check_choice(value: Any, choices: tuple[str, ...], key: str, data: dict,
                  path: Path) -> None:
    if value not in choices:
        raise StudyError(f"{key} '{value}' is not one of {', '.join(choices)}", path=path,
                         line=line_of(data, key))


def _unique(items: tuple, what: str, data: dict, key: str, path: Path) -> None:
    counts = Counter(item.id for item in items)
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    if duplicates:
        raise StudyError(f"duplicate {what} id '{duplicates[0]}'; every id must be unique",
                         path=path, line=line_of(data, key))


def _site(item: Any, path: Path) -> Site:
    item = check_keys(item, what="a site", path=path, error=StudyError,
                      required=("id", "kind"), optional=("name",))
    site_id = _check_id(item, "site", path)
    what = f"site '{site_id}'"
    return Site(site_id, _scalar(item, "name", what, path, expected="text") or site_id,
                _scalar(item, "kind", what, path, expected="a single word"))


def _role(item: Any, path: Path) -> Role:
    item = check_keys(item, what="a role", path=path, error=StudyError,
                      required=("id", "label"), optional=("codable",))
    role_id = _check_id(item, "role", path)
    return Role(role_id, _scalar(item, "label", f"role '{role_id}'", path, expected="text"),
                _flag(item, "codable", path))


# Codings qualcode makes itself: the consensus of the coders and the machine coder's
# suggestions (and the union of the coders while there is no consensus).
RESERVED_CODERS = ("consensus", "union", "suggest")


def _coder(item: Any, path: Path) -> Coder:
    item = check_keys(item, what="a coder", path=path, error=StudyError,
                      required=("id",), optional=("name",))
    coder = _check_id(item, "coder", path)
    if coder in RESERVED_CODERS:
        raise StudyError(f"coder id '{coder}' is reserved for qualcode's {coder} coding; "
                         "choose another id", path=path, line=line_of(item, "id"))
    return Coder(coder, _scalar(item, "name", f"coder '{coder}'", path, expected="text"))


def _group(item: Any, root: Path, path: Path, site_ids: set[str]) -> Group:
    item = check_keys(item, what="a group", path=path, error=StudyError,
                      required=("id", "site", "transcript"),
                      optional=("date", "moderator", "observer", "invited", "attended",
                                "location", "duration_minutes"))
    group_id = _check_id(item, "group", path)
    what = f"group '{group_id}'"
    site, moderator, observer = (_scalar(item, key, what, path)
                                 for key in ("site", "moderator", "observer"))
    if site not in site_ids:
        raise StudyError(f"group '{group_id}' names unknown site '{site}'; use one of "
                         f"{', '.join(sorted(site_ids))}", path=path,
                         line=line_of(item, "site"))
    transcript = root / str(item["transcript"])
    if not transcript.is_file():
        raise StudyError(f"transcript '{item['transcript']}' of group '{group_id}' not found; "
                         "put the file there or fix the path (relative to the study folder)",
                         path=path, line=line_of(item, "transcript"))
    counts = {}
    for key in ("invited", "attended", "duration_minutes"):
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0):
            raise StudyError(f"'{key}' of group '{group_id}' must be a whole number, "
                             f"not {value!r}", path=path, line=line_of(item, key))
        counts[key] = value
    date = item.get("date")
    if date is not None and not isinstance(date, dt.date):
        raise StudyError(f"date '{date}' of group '{group_id}' must be written YYYY-MM-DD",
                         path=path, line=line_of(item, "date"))
    return Group(group_id, site, transcript, date, moderator, observer, counts["invited"],
                 counts["attended"], _scalar(item, "location", what, path, expected="text"),
                 counts["duration_minutes"])


def _participant(item: Any, path: Path, group_ids: set[str]) -> Participant:
    item = check_keys(item, what="a participant", path=path, error=StudyError,
                      required=("id", "group"), optional=("attributes",))
    participant_id = _check_id(item, "participant", path)
    _scalar(item, "group", f"participant '{participant_id}'", path)
    if item["group"] not in group_ids:
        raise StudyError(f"participant '{participant_id}' names unknown group "
                         f"'{item['group']}'; use one of {', '.join(sorted(group_ids))}",
                         path=path, line=line_of(item, "group"))
    attributes = item.get("attributes") or {}
    line = line_of(item, "attributes")
    if not isinstance(attributes, dict) or any(isinstance(v, dict | list)
                                               for v in attributes.values()):
        raise StudyError(f"attributes of participant '{participant_id}' must be a mapping of "
                         "names to single values (semester: 5, sex: F)", path=path, line=line)
    for name in attributes:
        # An attribute names a dimension of the framework matrix, hence a file
        # (analyses/matrix-<name>.csv) and an Excel sheet: one word, not a built-in dimension.
        if not isinstance(name, str) or not _ATTRIBUTE.match(name) or name in _DIMENSIONS:
            raise StudyError(f"attribute name {name!r} of participant '{participant_id}' must "
                             "be one word of letters, digits, '_', '-' or '.' (not "
                             f"{', '.join(_DIMENSIONS)})", path=path,
                             line=line_of(attributes, name) if isinstance(name, str) else line)
    return Participant(participant_id, str(item["group"]), dict(attributes))


def _check_groups(study: Study, data: dict, path: Path) -> None:
    role_ids = {r.id for r in study.roles}
    for group, item in zip(study.groups, data["groups"], strict=True):
        for key in ("moderator", "observer"):
            value = getattr(group, key)
            if value is not None and value not in role_ids:
                raise StudyError(f"{key} '{value}' of group '{group.id}' is not a role id; "
                                 "declare it under 'roles' (id: MOD, label: Modératrice)",
                                 path=path, line=line_of(item, key))
        n = sum(p.group == group.id for p in study.participants)
        if group.attended is not None and group.attended != n:
            raise StudyError(f"group '{group.id}' says attended: {group.attended} but lists "
                             f"{n} participants; make them agree", path=path,
                             line=line_of(item, "attended"))
        if None not in (group.invited, group.attended) and group.invited < group.attended:
            raise StudyError(f"group '{group.id}' has more participants attending "
                             f"({group.attended}) than invited ({group.invited})", path=path,
                             line=line_of(item, "invited"))


def load_identities(study: Study) -> tuple[Identity, ...]:
    """Read ``identities.csv`` (columns group_id, speaker, name, participant_id).

    Lines starting with ``#`` are comments.
    A study without the file has no identities: speakers must then be written in the
    transcripts as their participant or role ids.
    """
    path = study.root / IDENTITIES_FILE
    if not path.exists():
        return ()
    if not path.is_file():
        raise StudyError("is a folder, not a CSV file; put the identities file (group_id,"
                         "speaker,name,participant_id) in its place", path=path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = [(reader.line_num, row) for row in reader
                    if row and not row[0].lstrip().startswith("#")]
    except UnicodeDecodeError:
        raise StudyError("not UTF-8 text; save it as CSV UTF-8", path=path) from None
    except csv.Error as err:
        raise StudyError(f"not a valid CSV file ({err})", path=path) from None
    except OSError as err:
        raise unreadable(path, err, StudyError) from None
    if not rows:
        raise StudyError(f"empty file; it needs the header {','.join(IDENTITY_COLUMNS)}",
                         path=path, line=1)
    header = [h.strip() for h in rows[0][1]]
    missing = [c for c in ("speaker", "participant_id") if c not in header]
    unknown = [c for c in header if c not in IDENTITY_COLUMNS]
    if missing or unknown:
        raise StudyError(f"header must name the columns {','.join(IDENTITY_COLUMNS)} "
                         f"(missing: {', '.join(missing) or '-'}; unknown: "
                         f"{', '.join(unknown) or '-'})", path=path, line=rows[0][0])
    return _identities(rows[1:], header, study, path)


def _identities(rows: list[tuple[int, list[str]]], header: list[str], study: Study,
                path: Path) -> tuple[Identity, ...]:
    known_ids, group_ids = study.speaker_ids(), {g.id for g in study.groups}
    identities, seen = [], {}
    for number, values in rows:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise StudyError(f"{len(values)} values for {len(header)} columns; check the "
                             "delimiter (it must be a comma) and quoting", path=path,
                             line=number)
        row = dict(zip(header, (unguard(v.strip()) for v in values), strict=True))
        identity = Identity(row["participant_id"], row["speaker"], row.get("name", ""),
                            row.get("group_id", ""), number)
        if identity.participant_id not in known_ids:
            raise StudyError(f"participant_id '{identity.participant_id}' is not a participant "
                             "or role of study.yaml", path=path, line=number)
        if identity.group_id and identity.group_id not in group_ids:
            raise StudyError(f"group_id '{identity.group_id}' is not a group of study.yaml",
                             path=path, line=number)
        if not identity.speaker and not identity.name:
            raise StudyError("a row needs a speaker label, a name, or both", path=path,
                             line=number)
        key = (identity.group_id, identity.speaker.casefold())
        if identity.speaker and seen.get(key, identity.participant_id) != \
                identity.participant_id:
            raise StudyError(f"speaker '{identity.speaker}' is mapped to two ids "
                             f"({seen[key]} and {identity.participant_id}); keep one, or "
                             "set group_id to tell them apart", path=path, line=number)
        seen[key] = identity.participant_id
        identities.append(identity)
    return tuple(identities)
