"""Salesforce formulas: which fields a formula, a validation rule or a criteria formula reads.

Comments and string literals are skipped, ``{!...}`` merge fields unwrapped,
and functions, ``$User``/``$Profile``/``$Setup`` globals and literals left out.
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.S)
_NAME = r"\$?[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?"
_REF = re.compile(rf"(?<![\w.$]){_NAME}(?:\.{_NAME})*(?![\w.])")
_LITERALS = {"true", "false", "null"}
# Globals name the user, the org or settings, not a field of the record.
_RECORD_GLOBALS = ("$record", "$record__prior")


def strip_formula(text: str) -> str:
    """A formula without comments and string literals, with ``{!...}`` merge fields unwrapped.

    >>> strip_formula('IF(Status = "Closed /* not */", 1, 0) /* Owner.Name */')
    'IF(Status =  , 1, 0)  '
    """
    text = _COMMENT.sub(" ", text)
    text = _STRING.sub(" ", text)
    return text.replace("{!", " ").replace("}", " ")


def formula_references(text: str) -> list[str]:
    """Field paths a formula reads, in order, each once; functions, globals and literals left out.

    >>> formula_references('AND(ISPICKVAL(Status, "Open"), Account__r.Owner:User.IsActive, $User.Id <> OwnerId, TRUE)')
    ['Status', 'Account__r.Owner:User.IsActive', 'OwnerId']
    >>> formula_references('/* Amount */ TEXT(Amount__c) & "x" & $Record.Name')
    ['Amount__c']
    """
    clean = strip_formula(text)
    out: list[str] = []
    for match in _REF.finditer(clean):
        token = match.group(0)
        rest = clean[match.end() :].lstrip()
        if rest.startswith("("):
            continue  # a function
        if token.startswith("$") or token.lower() in _LITERALS:
            continue
        if token not in out:
            out.append(token)
    return out
