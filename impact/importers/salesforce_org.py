"""Salesforce source format (SFDX): what an org defines, and the builder of its assets.

:class:`Org` indexes the objects and fields the source defines, so that a
reference spelled in any case finds the field's own spelling. :class:`Builder`
collects assets and dependencies with canonical ids, resolves a reference
through relationships (``Account__r.Name``, ``Parent.CaseNumber``) to the
object the lookup reaches, and records writers: an automation that writes a
field depends on the field's name, schema and availability, and the field
depends on its writer for its data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from impact.importers.merge import ImportedAsset


@dataclass
class FieldDef:
    obj: str
    name: str
    label: str | None
    type: str | None
    description: str | None
    formula: str | None
    reference_to: list[str]
    summarized: list[str]
    path: Path  # the field's file


@dataclass
class Org:
    """An index of what the source defines, for resolving references case-insensitively."""

    objects: dict[str, str] = field(default_factory=dict)  # lower → spelled
    object_labels: dict[str, str] = field(default_factory=dict)
    object_descriptions: dict[str, str] = field(default_factory=dict)
    fields: dict[tuple[str, str], FieldDef] = field(default_factory=dict)  # (obj lower, field lower)
    spelled: dict[tuple[str, str], str] = field(default_factory=dict)  # fields without a file, first spelling seen


# Standard relationships whose target is the same on every object that has them.
_STANDARD_TARGETS = {
    "createdby": "User",
    "lastmodifiedby": "User",
    "manager": "User",
    "delegatedapprover": "User",
    "recordtype": "RecordType",
    "profile": "Profile",
    "userrole": "UserRole",
    "account": "Account",
    "contact": "Contact",
    "opportunity": "Opportunity",
    "lead": "Lead",
    "campaign": "Campaign",
    "contract": "Contract",
    "product2": "Product2",
    "pricebook2": "Pricebook2",
    "pricebookentry": "PricebookEntry",
    "order": "Order",
    "asset": "Asset",
    "case": "Case",
    "convertedaccount": "Account",
    "convertedcontact": "Contact",
    "convertedopportunity": "Opportunity",
    "masterrecord": "",  # the same object
}

# Relationships whose target depends on the object (Salesforce's standard model).
# A polymorphic one (Task.What, Task.Who, Attachment.Parent, Case.Owner) has no entry: it stops at its lookup field.
_OBJECT_TARGETS = {
    ("account", "parent"): "Account",
    ("account", "owner"): "User",
    ("case", "parent"): "Case",
    ("campaign", "parent"): "Campaign",
    ("casecomment", "parent"): "Case",
    ("emailmessage", "parent"): "Case",
    ("contact", "owner"): "User",
    ("contact", "reportsto"): "Contact",
    ("opportunity", "owner"): "User",
    ("contract", "owner"): "User",
    ("asset", "parent"): "Asset",
    ("asset", "rootasset"): "Asset",
    ("user", "contact"): "Contact",
    ("user", "account"): "Account",
    ("opportunitylineitem", "product2"): "Product2",
    ("orderitem", "product2"): "Product2",
    ("workorder", "parentworkorder"): "WorkOrder",
}

# Relationships that reach one of several objects: a record, never a field.
_POLYMORPHIC = {"owner", "what", "who", "parent", "relatedto"}

# Compound fields: a component read by a formula belongs to the compound field.
_ADDRESS_PARTS = (
    *("Street", "City", "State", "PostalCode", "Country"),
    *("StateCode", "CountryCode", "Latitude", "Longitude", "GeocodeAccuracy"),
)
_COMPOUND = {
    **{f"{p}{c}": f"{p}Address" for p in ("Billing", "Shipping", "Mailing", "Other") for c in _ADDRESS_PARTS},
    **{c: "Address" for c in _ADDRESS_PARTS},
    **{c: "Name" for c in ("FirstName", "LastName", "Salutation", "MiddleName", "Suffix")},
}

WRITER_USES = ["availability", "name", "schema"]
"""What an automation that writes a field uses of it: its API name, its type and that it exists."""

INACTIVE_WRITER_USES = ["availability"]
"""What a field uses of an automation that would write it and is not active: whether it runs."""

_RECORD_WORDS = ("$record", "$record__prior")


class Builder:
    """Collects assets and edges; every id is canonical."""

    def __init__(self, system: str, org: Org) -> None:
        self.system = system
        self.org = org
        self.assets: dict[str, ImportedAsset] = {}

    def asset(self, key: str, type_: str, name: str | None = None, description: str | None = None) -> ImportedAsset:
        item = self.assets.get(key)
        if item is None:
            item = self.assets[key] = ImportedAsset(type_, None, description, [], name)
        else:
            item.name = item.name or name
            item.description = item.description or description
        return item

    def depend(self, downstream: str, upstream: str, uses: list[str] | None = None) -> None:
        """``downstream`` depends on ``upstream``: on every aspect, or on ``uses`` alone (every aspect wins)."""
        if downstream == upstream:
            return
        dep = f"{self.system}:{upstream}"
        item = self.assets[downstream]
        if dep not in item.depends_on:
            item.depends_on.append(dep)
            if uses is not None:
                item.uses[dep] = list(uses)
        elif dep in item.uses:
            if uses is None:
                del item.uses[dep]
            else:
                item.uses[dep] = sorted(set(item.uses[dep]) | set(uses))

    def write(self, writer: str, field_key: str, active: bool = True) -> None:
        """``writer`` writes the field: its data comes from it; renamed, retyped or deleted, it breaks the writer.

        A record's ``Id`` is never written: setting it on a record variable names the record to update, so it is read.
        An inactive writer (a draft or obsolete flow, an inactive rule) writes nothing until it is activated: the
        field depends on its ``availability`` alone, so a change it reaches stops there, and activating it reaches
        the field.
        """
        if field_key.endswith(".Id"):
            self.depend(writer, field_key)
            return
        self.depend(field_key, writer, None if active else INACTIVE_WRITER_USES)
        self.depend(writer, field_key, WRITER_USES)

    def object_name(self, obj: str) -> str:
        return self.org.objects.get(obj.lower(), obj)

    def object_key(self, obj: str) -> str:
        spelled = self.object_name(obj)
        key = f"object/{spelled}"
        if key not in self.assets:
            low = spelled.lower()
            note = None if low in self.org.objects else "Standard object (no metadata file in the source)"
            self.asset(key, "object", self.org.object_labels.get(low), self.org.object_descriptions.get(low) or note)
        return key

    def field_key(self, obj: str, name: str) -> str:
        """``field/<Object>.<Field>`` spelled as the metadata spells it; a field without a file gets an asset too."""
        obj_spelled = self.object_name(obj)
        found = self.org.fields.get((obj_spelled.lower(), name.lower()))
        if found is not None:
            return f"field/{found.obj}.{found.name}"
        spelled = self.org.spelled.setdefault((obj_spelled.lower(), name.lower()), name)
        key = f"field/{obj_spelled}.{spelled}"
        if key not in self.assets:
            compound = _COMPOUND.get(spelled)
            custom = spelled.lower().endswith("__c")
            note = "Field with no metadata file in the source"
            if not custom:
                note = "Standard field (no metadata file in the source)"
            item = self.asset(key, "field", None, note)
            if compound and (obj_spelled.lower(), compound.lower()) in self.org.fields:
                item.description = f"{note}; part of the compound field {compound}"
                self.depend(key, self.field_key(obj_spelled, compound))
        return key

    def resolve(self, obj: str, path: str) -> list[str]:
        """Field keys a reference ``path`` on ``obj`` reads: each lookup walked, then the last field (object known)."""
        parts = [p for p in path.split(".") if p]
        keys: list[str] = []
        current: str | None = obj
        for rel in parts[:-1]:
            if current is None:
                return keys
            name, _, typed = rel.partition(":")
            if name.lower() in _RECORD_WORDS:
                continue
            lookup = self.lookup_field(name)
            keys.append(self.field_key(current, lookup))
            current = self.target(current, lookup, name, typed)
        if current is not None and parts:
            last = parts[-1].partition(":")[0]
            if last.lower() not in _RECORD_WORDS:
                keys.append(self.field_key(current, last))
        return keys

    @staticmethod
    def lookup_field(relationship: str) -> str:
        """The lookup field of a relationship: ``Account__r`` → ``Account__c``, ``Parent`` → ``ParentId``."""
        return relationship[:-3] + "__c" if relationship.lower().endswith("__r") else relationship + "Id"

    def target(self, obj: str, lookup: str, rel: str, typed: str = "") -> str | None:
        """The object a lookup reaches, or None when it is polymorphic or unknown."""
        if typed:
            return typed
        found = self.org.fields.get((self.object_name(obj).lower(), lookup.lower()))
        if found is not None and found.reference_to:
            return found.reference_to[0] if len(found.reference_to) == 1 else None
        low = rel.lower()
        by_object = _OBJECT_TARGETS.get((self.object_name(obj).lower(), low))
        if by_object is not None:
            return by_object
        standard = _STANDARD_TARGETS.get(low)
        if standard is not None:
            return standard or obj
        if low in self.org.objects and not low.endswith("__r"):
            return self.org.objects[low]
        return None  # Owner, What, Who and other polymorphic or unknown lookups: stop at the lookup field

    def is_relationship(self, obj: str, name: str) -> bool:
        """Whether ``name`` on ``obj`` names a related record (``Parent``, ``Account__r``), not a field."""
        low = name.partition(":")[0].lower()
        if low.endswith("__r") or ":" in name:
            return True
        if (self.object_name(obj).lower(), low) in self.org.fields or low.endswith("__c"):
            return False
        return low in _POLYMORPHIC or self.target(obj, self.lookup_field(name), name) is not None

    def lookup_target(self, obj: str, lookup: str) -> str | None:
        """The object a lookup field (``ParentId``, ``Account__c``) or a relationship name reaches."""
        low = lookup.lower()
        if low.endswith("__c"):
            return self.target(obj, lookup, lookup[:-3] + "__r")
        if low.endswith("id"):
            return self.target(obj, lookup, lookup[:-2])
        return self.target(obj, self.lookup_field(lookup), lookup)
