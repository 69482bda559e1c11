"""What a Marketo smart list's rules name, as catalog ids; the Salesforce field a Marketo field syncs with.

Smart list rules (``smartList/{id}.json?includeRules=true``) name what they
read by the names the UI shows: lead fields by display name, smart lists,
programs and forms by name, web pages by URL pattern. :func:`references`
resolves each against what the export defines; anything that does not
resolve is named in a note, never guessed. The values a rule compares a
field with are those of :mod:`impact.importers.marketo_values`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from impact.importers.marketo_values import FieldTests, all_must_hold, operator_of
from impact.importers.webpaths import deepest_folder

WEB_FILTERS = {"visited web page", "clicks link on web page", "visits web page", "clicked link on web page"}
WEB_ATTRIBUTES = {"web page", "link", "webpage", "web page url", "link url"}
FORM_FILTERS = {"fills out form", "filled out form"}
LIST_FILTERS = {"member of smart list"}
PROGRAM_FILTERS = {"member of program"}
FIELD_CHANGE_FILTERS = {"data value changes", "data value changed", "data value was changed"}

# Adobe's "Default Salesforce Field Mapping" (Lead), as Marketo REST name -> Salesforce Lead API name.
SALESFORCE_LEAD = {
    "firstname": "FirstName", "lastname": "LastName", "middlename": "MiddleName", "salutation": "Salutation",
    "email": "Email", "company": "Company", "title": "Title", "phone": "Phone", "mobilephone": "MobilePhone",
    "fax": "Fax", "address": "Street", "city": "City", "state": "State", "postalcode": "PostalCode",
    "country": "Country", "website": "Website", "industry": "Industry", "annualrevenue": "AnnualRevenue",
    "numberofemployees": "NumberOfEmployees", "leadsource": "LeadSource", "leadstatus": "Status",
    "rating": "Rating", "unsubscribed": "HasOptedOutOfEmail", "donotcall": "DoNotCall",
    "leadrole": "Role", "siccode": "SicCode", "description": "Description",
}  # fmt: skip


def salesforce_field(rest: str, assets: Mapping[str, Any]) -> str | None:
    """The key of the Salesforce ``field/Lead.<API name>`` a Marketo field syncs with, spelled as the catalog does.

    The documented default mapping for standard fields; a custom field keeps
    its ``__c`` API name; any other field of the same name (any case).

    >>> salesforce_field("leadStatus", {"field/Lead.Status": None})
    'field/Lead.Status'
    >>> salesforce_field("division__c", {"field/Lead.Division__c": None}), salesforce_field("score", {})
    ('field/Lead.Division__c', None)
    """
    by_lower = {key.lower(): key for key in assets if key.lower().startswith("field/lead.")}
    for candidate in (SALESFORCE_LEAD.get(rest.lower()), rest):
        if candidate is not None and f"field/lead.{candidate.lower()}" in by_lower:
            return by_lower[f"field/lead.{candidate.lower()}"]
    return None


@dataclass
class Refs:
    """The names a rule may use, as the export defines them."""

    fields: dict[str, str] = field(default_factory=dict)  # display name or REST name, lower-case -> REST name
    ambiguous: set[str] = field(default_factory=set)
    lists: set[str] = field(default_factory=set)
    programs: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    segments: dict[str, set[str]] = field(default_factory=dict)

    def add_field(self, rest: str, label: str | None) -> None:
        self.fields[rest.lower()] = rest  # REST names are unique
        if label:
            low = label.strip().lower()
            if low in self.fields and self.fields[low] != rest and low not in {r.lower() for r in self.fields.values()}:
                self.ambiguous.add(low)
            self.fields.setdefault(low, rest)

    def field_by_name(self, name: str) -> str | None:
        low = name.strip().lower()
        return None if low in self.ambiguous else self.fields.get(low)


class Reader(Protocol):
    """What resolving a rule needs of the import (:class:`impact.importers.marketo.Reader`)."""

    website: str | None
    known: Mapping[str, Mapping[str, str | None]]

    @property
    def refs(self) -> Refs: ...

    def depend(
        self, key: str, upstream: str, uses: list[str] | None = None, values: list[str] | None = None
    ) -> None: ...

    def warn(self, where: str, message: str) -> None: ...


def _rules(rules: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(rules, dict):
        return
    for part in ("filters", "triggers"):
        for item in rules.get(part) or []:
            if isinstance(item, dict):  # the older spec types triggers as strings: nothing to resolve
                yield part, item


def _values(rule: Mapping[str, Any], attributes: set[str] | None = None) -> list[str]:
    """The values of a rule's primary conditions (all if none says), or of the conditions named ``attributes``."""
    conditions = [c for c in rule.get("conditions") or [] if isinstance(c, dict)]
    if attributes is not None:
        chosen = [c for c in conditions if str(c.get("activityAttributeName", "")).strip().lower() in attributes]
    else:
        chosen = [c for c in conditions if c.get("isPrimary") is True] or conditions
    return [
        str(v) for c in chosen for v in c.get("values") or [] if isinstance(v, (str, int, float)) and str(v).strip()
    ]


def references(reader: Reader, key: str, rules: Any, where: str) -> None:
    """Make ``key`` depend on what its smart list ``rules`` name (see the module docstring)."""
    fields: dict[str, FieldTests] = {}  # REST name -> what the rules do with it
    held = isinstance(rules, dict) and all_must_hold(rules)
    for part, rule in _rules(rules):
        name = str(rule.get("name") or "").strip()
        low = name.lower()
        if low in WEB_FILTERS:
            _web(reader, key, _values(rule, WEB_ATTRIBUTES) or _values(rule), where, name)
        elif low in FORM_FILTERS:
            _named(
                reader,
                key,
                _values(rule, {"form", "form name"}) or _values(rule),
                reader.refs.forms,
                "form",
                where,
                name,
            )
        elif low in LIST_FILTERS:
            _named(reader, key, _values(rule), reader.refs.lists, "smart-list", where, name)
        elif low in PROGRAM_FILTERS:
            _named(
                reader, key, _values(rule, {"program"}) or _values(rule), reader.refs.programs, "program", where, name
            )
        elif low in FIELD_CHANGE_FILTERS:
            changed = _values(rule, {"attribute"}) or _values(rule)
            conditions = [c for c in rule.get("conditions") or [] if isinstance(c, dict)]
            for value in changed:
                tests = _field(reader, fields, value, where, name)
                if tests is not None:
                    tests.change(conditions, rule)
                    tests.whole = tests.whole or len(changed) > 1  # whose value do its conditions test?
        elif name in reader.refs.segments:
            _named(reader, key, _values(rule), reader.refs.segments[name], f"segment/{name}", where, name)
        elif str(rule.get("ruleType", "")).lower() == "attribute" or reader.refs.field_by_name(name):
            _attribute(reader, fields, rule, where, name, held and part == "filters")
    for rest, tests in fields.items():
        reader.depend(key, f"field/{rest}", values=tests.tested())


def _attribute(
    reader: Reader, fields: dict[str, FieldTests], rule: dict[str, Any], where: str, name: str, must_hold: bool
) -> None:
    """An attribute rule: each condition compares its field (``attributeName``, else the rule's name) with values."""
    conditions = [c for c in rule.get("conditions") or [] if isinstance(c, dict)]
    named = [c for c in conditions if isinstance(c.get("attributeName"), str)]
    for cond in named:
        tests = _field(reader, fields, cond["attributeName"], where, name)
        if tests is not None:
            tests.compare(operator_of(cond, rule), cond.get("values"), must_hold)
    if not any(c.get("attributeName") for c in conditions):
        tests = _field(reader, fields, name, where, name)
        if tests is not None:
            chosen = [c for c in conditions if c.get("isPrimary") is True] or conditions
            for cond in chosen:
                tests.compare(operator_of(cond, rule), cond.get("values"), must_hold)
            if not chosen:
                tests.compare(operator_of({}, rule), None)  # no condition: no literal, the whole value


def _field(reader: Reader, fields: dict[str, FieldTests], label: str, where: str, rule: str) -> FieldTests | None:
    """What the rules do with the lead field shown as ``label`` (None, and a note, when no one field is)."""
    rest = reader.refs.field_by_name(label)
    if rest is None:
        reader.warn(where, f"{rule!r} tests {label!r}, which is not one lead field of leadFields.json")
        return None
    return fields.setdefault(rest, FieldTests())


def _named(reader: Reader, key: str, values: list[str], names: set[str], kind: str, where: str, rule: str) -> None:
    for value in values:
        found = value if value in names else None
        if found is None and "." in value and kind == "form":  # a form in a program is shown as Program.Form
            program, _, rest = value.partition(".")
            found = rest if program in reader.refs.programs and rest in names else None
        if found is not None:
            reader.depend(key, f"{kind}/{found}")
        else:
            reader.warn(
                where, f"{rule!r} names {value!r}, which is not a {kind.split('/')[0].replace('-', ' ')} of the export"
            )


def _web(reader: Reader, key: str, values: list[str], where: str, rule: str) -> None:
    if not reader.website:
        return
    folders = reader.known.get(reader.website, {})
    for value in values:
        found = deepest_folder(value, dict(folders))
        if found is not None:
            reader.depend(key, f"{reader.website}:{found}", ["name"])
        else:
            reader.warn(where, f"{rule!r} pattern {value!r} names no folder of {reader.website!r}")
