"""Which values a GTM trigger compares a variable with: ``values:`` on its dependency (issue #29).

A trigger whose every condition on a variable is ``equals`` (or its
negation) a literal (``{{Event}} equals form_submit``) tests those values;
a condition that matches part of the value (contains, starts with, a
regular expression), compares it with another variable, or a variable used
anywhere else in the trigger reads the whole value.
"""

from __future__ import annotations

import re
from typing import Any

_VAR = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def trigger_values(conditions: list[Any]) -> dict[str, list[str]]:
    """Variable name → the literal values the conditions compare it with, for variables used only that way.

    >>> arg = lambda i, v: {"key": f"arg{i}", "value": v}
    >>> cond = lambda kind, a, b: {"type": kind, "parameter": [arg(0, a), arg(1, b)]}
    >>> trigger_values([[cond("EQUALS", "{{Event}}", "form_submit"), cond("EQUALS", "{{Event}}", "demo")]])
    {'Event': ['demo', 'form_submit']}
    >>> trigger_values([[cond("EQUALS", "{{Event}}", "x"), cond("CONTAINS", "{{Event}}", "y")]])
    {}
    """
    tested: dict[str, set[str]] = {}
    whole: set[str] = set()
    for group in conditions:
        for cond in group or [] if isinstance(group, list) else []:
            params = (
                {p.get("key"): p.get("value") for p in cond.get("parameter") or [] if isinstance(p, dict)}
                if isinstance(cond, dict)
                else {}
            )
            arg0, arg1 = params.get("arg0"), params.get("arg1")
            var = _VAR.fullmatch(arg0.strip()) if isinstance(arg0, str) else None
            literal = isinstance(arg1, str) and arg1.strip() and not _VAR.search(arg1)
            if var and literal and cond.get("type") == "EQUALS":
                tested.setdefault(var.group(1), set()).add(str(arg1).strip())
            else:
                whole.update(
                    m.group(1) for value in params.values() if isinstance(value, str) for m in _VAR.finditer(value)
                )
    return {name: sorted(values) for name, values in sorted(tested.items()) if name not in whole}
