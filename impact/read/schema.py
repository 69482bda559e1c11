"""The file formats, as pydantic models: the public contract of catalog and change files.

These models check the *shape* of one file (known keys, right types). Links
between files (an owner that names a team, a dependency that names an asset)
are checked by the loader once everything is merged. The same models generate
the JSON Schemas that editors use for completion.

Scalars arrive as the strings the author wrote (see :mod:`impact.read.yamlio`);
booleans and numbers are parsed here, strictly, so ``yes`` or ``010`` are
refused with the original text quoted rather than guessed.
"""

from __future__ import annotations

import functools
import operator
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Literal,
    NotRequired,
    TypeAlias,
    Union,
    get_args,
    get_origin,
)

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    TypeAdapter,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from typing_extensions import TypedDict  # pydantic's own dependency; it needs this TypedDict before Python 3.12

from impact.core.vocabulary import ACTIONS, ASPECTS, PATHS
from impact.read.scalars import as_bool, as_date_or_time, as_int

ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"
# Trailing spaces are allowed: tools keep names verbatim (a Tableau sheet named 'Top Publishers ').
KEY_PATTERN = r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])? *$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=200)]
"""Team, system, test, change and release ids: letters, digits, ``-``, ``_``, ``.``."""

AssetKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=500)]
AssetRef = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=700)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
YBool = Annotated[bool, BeforeValidator(as_bool)]
# The bounds come before the validator so that the JSON Schema says minimum/maximum.
YInt = Annotated[int, Field(ge=0, le=100_000), BeforeValidator(as_int)]

# The change vocabulary is written once, in impact.core.vocabulary (read without pydantic on every check);
# the models take their words from it. mypy reads a Literal only from words written out: it sees str.
if TYPE_CHECKING:
    Action: TypeAlias = str
    Aspect: TypeAlias = str
    ReleasePath: TypeAlias = str
else:
    Action = Literal[ACTIONS]
    Aspect = Literal[ASPECTS]
    """What a change touches of an asset, or a dependency uses of its upstream asset (see impact.core.aspects)."""
    ReleasePath = Literal[PATHS]

Value = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
"""One allowed value of a field (a picklist entry, a lead status, an event name), as written."""

Status = Literal["draft", "triage", "build", "qa", "approved", "released"]


def _no_items(description: str | None = None) -> Any:
    """An empty list as a field's default, made fresh for each model.

    Not ``= []``: pydantic deep-copies an unhashable default each time it is
    used, which a 100,000-asset catalog does about 300,000 times; calling
    ``list`` is far cheaper. The JSON Schema still says ``"default": []`` and
    ``exclude_defaults`` still leaves out an empty list.
    """
    return Field(default_factory=list, json_schema_extra={"default": []}, description=description)


def _none_to_empty(kind: type) -> Any:
    # ``assets:`` with nothing under it is an empty mapping, not an error.
    return BeforeValidator(lambda v: kind() if v is None else v)


class _Spec(BaseModel):
    # defer_build: a model's validator is built when first used. Reading a valid file
    # uses the plain mirror (plain_validator), so an edited file is read without
    # building every model (a tenth of a second of each run after an edit).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True)


class TeamSpec(_Spec):
    """A team: the unit that owns assets and gets consulted or informed."""

    name: Text
    email: Text | None = None
    slack: Text | None = None
    members: Annotated[list[Text], _none_to_empty(list)] = _no_items()


class DependencySpec(_Spec):
    """One upstream asset, written as an id or as ``{asset: id, note: ...}``."""

    asset: AssetRef
    note: Text | None = None
    uses: list[Aspect] | None = Field(
        None,
        min_length=1,
        description=f"What the dependent asset uses of the upstream one: {', '.join(ASPECTS)}. Default: every aspect.",
    )
    values: list[Value] | None = Field(
        None,
        min_length=1,
        description=(
            "The values of the upstream asset the dependent one tests (ISPICKVAL(Status, 'Closed')): a change to "
            "other values "
            "(its 'values:') does not reach it through this dependency. Default: it reads every value."
        ),
    )

    short_form: ClassVar[str] = "asset"  # a bare string stands for this field (see plain_validator too)

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        return {"asset": value} if isinstance(value, str) else value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # The JSON Schema (for editors) must accept the short form, a bare asset id, too.
        return {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": KEY_PATTERN,
                    "maxLength": 700,
                    "description": "An asset id (system:key).",
                },
                handler(core_schema),
            ]
        }


class AssetSpec(_Spec):
    """An asset: a folder, form, tag, segmentation, field, queue, dashboard..."""

    type: Text
    name: Text | None = Field(None, description="The name people know it by (display name), shown beside the id.")
    owner: Id | None = Field(None, description="Owning team; default: the system's owner.")
    critical: YBool = False
    description: Text | None = None
    depends_on: Annotated[list[DependencySpec], _none_to_empty(list)] = _no_items(
        "Upstream assets: a change to one of them can break this asset."
    )
    feeds: Annotated[list[DependencySpec], _none_to_empty(list)] = _no_items(
        "Downstream assets: the same edge as depends_on, declared from the upstream side."
    )
    consulted: Annotated[list[Id], _none_to_empty(list)] = _no_items()
    informed: Annotated[list[Id], _none_to_empty(list)] = _no_items()


class SystemSpec(_Spec):
    """A tool of the stack (website, tag manager, Marketo, Salesforce...) and its assets."""

    name: Text
    kind: Text | None = None
    owner: Id
    consulted: Annotated[list[Id], _none_to_empty(list)] = _no_items()
    informed: Annotated[list[Id], _none_to_empty(list)] = _no_items()
    assets: Annotated[dict[AssetKey, AssetSpec], _none_to_empty(dict)] = {}


class TestSpec(_Spec):
    """A regression test of the team's library: a manual checklist or an automated check."""

    __test__ = False  # not a pytest class

    name: Text
    covers: list[AssetRef] = Field(min_length=1)
    owner: Id | None = None
    kind: Literal["manual", "automated"] | None = None
    steps: Annotated[list[Text], _none_to_empty(list)] = _no_items()
    run: Text | None = None
    minutes: YInt | None = None


class PathRuleSpec(_Spec):
    """Limits a release path puts on a change (see the releases documentation)."""

    actions: list[Action] | None = Field(None, description="Actions allowed on this path; default: any.")
    types: list[Text] | None = Field(None, description="Asset types a change may target; default: any.")
    max_tool_distance: YInt | None = Field(None, description="How far impact may reach, in tools.")
    max_impacted: Annotated[int, Field(ge=0, le=100_000_000), BeforeValidator(as_int)] | None = Field(
        None,
        description=(
            "How many assets beyond the changed ones impact may reach (within 5 tools). "
            "Default: 0 for quick-hit (no testing is safe only when nothing else is reached), no limit for minor."
        ),
    )
    allow_critical_changed: YBool | None = None
    allow_critical_impacted: YBool | None = None


ReadyKind = Literal["signoffs", "steps", "tests"]
"""What the release check asks of a change besides its status, path and conflicts (see impact.analysis.readiness)."""


class PolicySpec(_Spec):
    """The release-path policy: what a quick hit and a minor release may contain, and what makes a change ready."""

    quick_hit: PathRuleSpec | None = Field(None, alias="quick-hit")
    minor: PathRuleSpec | None = None
    ready: Annotated[list[ReadyKind], _none_to_empty(list)] | None = Field(
        None,
        description="What a change needs before it ships, besides approved status, its path and no conflicts: "
        "signoffs (every team of its 'Sign off' list approved), steps (triage, build and QA by different people), "
        "tests (every test to run passed, on minor and major paths). Default: none.",
    )


class SourceSpec(_Spec):
    """An import that writes this catalog file; ``impact import refresh`` runs it again."""

    kind: Literal["csv", "sitemap", "salesforce-deps", "salesforce", "dbt", "gtm", "marketo", "hubspot", "tableau"]
    path: Text = Field(description="The export (file or folder), relative to this catalog file.")
    args: Annotated[list[Text], _none_to_empty(list)] = _no_items(
        "The import's options, as on the command line, e.g. [--owner, web]."
    )


class LinkSpec(_Spec):
    """A dependency between two assets declared outside both, for what no export can tell.

    Kept by every re-import and refresh (importers never touch ``links:``);
    validated like ``depends_on``.
    """

    asset: AssetRef = Field(description="The dependent asset (system:key).")
    depends_on: AssetRef = Field(description="The upstream asset it depends on (system:key).")
    uses: list[Aspect] | None = Field(
        None,
        min_length=1,
        description=f"What the dependent asset uses of the upstream one: {', '.join(ASPECTS)}. Default: every aspect.",
    )
    note: Text | None = Field(None, description="Why the link holds; shown in the why-path.")


class CatalogFileSpec(_Spec):
    """One file of a catalog directory; all files are merged."""

    teams: Annotated[dict[Id, TeamSpec], _none_to_empty(dict)] = {}
    systems: Annotated[dict[Id, SystemSpec], _none_to_empty(dict)] = {}
    tests: Annotated[dict[Id, TestSpec], _none_to_empty(dict)] = {}
    policy: PolicySpec | None = None
    sources: Annotated[list[SourceSpec], _none_to_empty(list)] = _no_items(
        "Imports that write this file; 'impact import refresh' runs them all again."
    )
    links: Annotated[list[LinkSpec], _none_to_empty(list)] = _no_items(
        "Dependencies between assets of any files (imported ones too), for what no export tells; kept by every import."
    )


class ChangeItemSpec(_Spec):
    """One thing a change request does to an asset, or to every asset of a system."""

    target: AssetRef = Field(description="An asset id (system:key), or a system id for every asset of it.")
    action: Action
    to: AssetRef | None = Field(None, description="For a rename: the asset's new id (system:key).")
    note: Text | None = None
    aspects: list[Aspect] | None = Field(
        None,
        min_length=1,
        description=(
            f"What the change touches: {', '.join(ASPECTS)}. Default: values for an item that names values, "
            "name for a rename, every aspect otherwise."
        ),
    )
    values: list[Value] | None = Field(
        None,
        min_length=1,
        description=(
            "The values the change adds, removes or renames (a picklist entry, a lead status): it reaches the "
            "dependencies "
            "that test one of them or test none in particular. Default: every value."
        ),
    )

    @model_validator(mode="after")
    def _to_only_on_rename(self) -> ChangeItemSpec:
        if self.to is not None and self.action != "rename":
            raise ValueError(f"'to:' names the new id of a rename; this item's action is {self.action!r}")
        return self


DateOrTime = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}([Tt ].+)?$"),
    BeforeValidator(as_date_or_time),
]
"""A date (2026-11-05) or a date-time (2026-11-05T14:30, 2026-11-05T14:30:00+01:00), kept as written."""


class StepSpec(_Spec):
    """Who did one step of the change (triage, build or QA), and when."""

    by: Text = Field(description="The person, by name.")
    at: DateOrTime | None = None


class StepsSpec(_Spec):
    """Who did each step: triage, build and QA are done by different people (QA may go back to the triage person)."""

    triage: StepSpec | None = None
    build: StepSpec | None = None
    qa: StepSpec | None = None


class SignoffSpec(_Spec):
    """One team's decision on the change: one per team that signs off."""

    team: Id
    by: Text = Field(description="The person, by name; a warning when the team lists members and this is not one.")
    at: DateOrTime | None = None
    decision: Literal["approved", "rejected"]
    note: Text | None = None


class ResultSpec(_Spec):
    """One run of a regression test for this change; the last result per test counts."""

    test: Id
    result: Literal["passed", "failed", "skipped"]
    by: Text = Field(description="The person (or tool) that ran it.")
    at: DateOrTime | None = None
    evidence: Text | None = Field(None, description="Where the proof is: a link to a run, a screenshot, a ticket.")
    note: Text | None = None


class ChangeSpec(_Spec):
    """A change request: ``change.yaml``."""

    id: Id
    title: Text
    requested_by: Id | None = None
    status: Status | None = None
    release: Id | None = None
    path: ReleasePath | None = None
    catalog: Text | None = Field(None, description="The catalog directory, relative to this file.")
    changes: list[ChangeItemSpec] = Field(min_length=1)
    steps: StepsSpec | None = Field(None, description="Who did triage, build and QA, and when.")
    signoffs: Annotated[list[SignoffSpec], _none_to_empty(list)] = _no_items(
        "Each team's sign-off: approved or rejected."
    )
    results: Annotated[list[ResultSpec], _none_to_empty(list)] = _no_items(
        "Regression tests run for this change, and their results."
    )


class ReleaseSpec(_Spec):
    """Optional metadata of a release: ``releases/<id>.yaml``."""

    id: Id
    name: Text | None = None
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    freeze: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = Field(
        None, description="Start of the change freeze (YYYY-MM-DD)."
    )
    owner: Id | None = None
    notes: Text | None = None


# --- the same shapes, validated into plain dicts -------------------------------


def _plain_type(tp: Any) -> Any:
    """``tp`` with each model in it replaced by its plain mirror (see :func:`plain_validator`)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _plain_model(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return Annotated[(_plain_type(args[0]), *tp.__metadata__)]
    if origin in (Union, UnionType):
        return functools.reduce(operator.or_, map(_plain_type, args))
    if origin in (list, dict):
        return origin[tuple(map(_plain_type, args))]
    return tp


def _field_type(info: Any) -> Any:
    """A field's type with its constraints and validators, as pydantic split them off the annotation."""
    tp = _plain_type(info.annotation)
    return Annotated[(tp, *info.metadata)] if info.metadata else tp


@functools.cache
def _plain_model(model: type[BaseModel]) -> Any:
    fields = {
        info.alias or name: _field_type(info) if info.is_required() else NotRequired[_field_type(info)]
        for name, info in model.model_fields.items()
    }
    make: Any = TypedDict  # its functional form: mypy only knows the class syntax
    mirror: Any = make(f"{model.__name__}Data", fields)
    mirror.__pydantic_config__ = ConfigDict(extra="forbid")
    short = getattr(model, "short_form", None)
    if isinstance(short, str):  # the model's before-validator, as a union validated in Rust
        return _field_type(model.model_fields[short]) | mirror
    return mirror


@functools.cache
def plain_validator(model: type[BaseModel]) -> TypeAdapter[Any]:
    """Validates what ``model`` validates, into plain dicts, lists and strings: about four times faster.

    A model instance costs far more than the dict it is made from; at
    100,000 assets and 300,000 dependencies, building them was most of the
    time spent reading a valid catalog. The mirror is built from the model's
    own fields (their types, constraints and validators; ``extra="forbid"``),
    so the two accept the same documents; keys left out keep their defaults
    only in the model. Use the model for messages: this one is for documents
    expected to be valid (``tests/test_fastyaml.py`` compares the two).

    Examples
    --------
    >>> plain_validator(TeamSpec).validate_python({"name": "Web team", "members": None})
    {'name': 'Web team', 'members': []}
    >>> plain_validator(DependencySpec).validate_python("crm:field/lead.country")
    'crm:field/lead.country'
    """
    return TypeAdapter(_plain_model(model))
