"""The Jinja calls of a dbt file read without running dbt: ``ref``, ``source`` and ``config``.

Jinja's own lexer splits a model into text and Jinja tokens (dbt's custom
tags such as ``{% snapshot %}`` lex like any other), so a call is found
wherever it is written: in ``{{ }}``, in ``{% set %}``, in an SQL comment
(dbt renders those too). A call whose arguments are all literals is read;
one built by Jinja (``ref(name)``, ``ref('a' ~ b)``) is *dynamic*: reported
with its line, never guessed.

Examples
--------
>>> calls = jinja_calls("select * from {{ ref('orders') }} join {{ source('shop', 'items') }} {{ ref(x) }}")
>>> [(c.kind, c.args, c.static) for c in calls]
[('ref', ('orders',), True), ('source', ('shop', 'items'), True), ('ref', (), False)]
>>> jinja_calls("{{ config(alias='fct_orders', enabled=false) }}")[0].kwargs
{'alias': 'fct_orders', 'enabled': False}
>>> jinja_calls("{{ config(enabled=var('crm_enabled', True)) }}")[0].kwargs
{'enabled': "{{ var('crm_enabled', True) }}"}
>>> sql_tokens("select a  -- why\\n, b /* note */ from {{ ref('t') }}") == sql_tokens("SELECT a, b FROM {{ref( 't' )}}")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import jinja2
from jinja2.lexer import Token

_CALLS = ("ref", "source", "config")
_ENV = jinja2.Environment()
_SCALARS = {"string", "integer", "float"}
_MACRO = re.compile(r"\{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(.*?-?%\}", re.S)
_ENDMACRO = re.compile(r"\{%-?\s*endmacro\s*-?%\}")
_NAMES = {"true": True, "false": False, "True": True, "False": False, "none": None, "None": None}


@dataclass
class Call:
    """One ``ref``/``source``/``config`` call: its literal arguments, or ``static=False``."""

    kind: str
    line: int
    args: tuple[str, ...] = ()
    kwargs: dict[str, object] = field(default_factory=dict)
    static: bool = True
    text: str = ""  # the call as written, for a warning


def _tokens(source: str) -> list[Token]:
    try:
        return list(_ENV.lexer.tokenize(source))
    except jinja2.TemplateSyntaxError:
        return []


def _literal(token: Token) -> tuple[bool, object]:
    if token.type in _SCALARS:
        return True, token.value
    if token.type == "name" and token.value in _NAMES:
        return True, _NAMES[token.value]
    return False, None


def _arguments(tokens: list[Token], start: int) -> tuple[list[list[Token]], int]:
    """The comma-separated arguments from the ``(`` at ``start``, and the index after the matching ``)``."""
    depth, args, current = 0, [], []  # type: ignore[var-annotated]
    i = start
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("lparen", "lbracket", "lbrace"):
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif tok.type in ("rparen", "rbracket", "rbrace"):
            depth -= 1
            if depth == 0:
                if current:
                    args.append(current)
                return args, i + 1
        elif tok.type == "comma" and depth == 1:
            args.append(current)
            current = []
            i += 1
            continue
        current.append(tok)
        i += 1
    return args, i


def _call(kind: str, line: int, args: list[list[Token]]) -> Call:
    call = Call(kind, line)
    positional: list[str] = []
    for arg in args:
        if len(arg) >= 3 and arg[0].type == "name" and arg[1].type == "assign":
            ok, value = _literal(arg[2]) if len(arg) == 3 else (False, None)
            # A keyword built by Jinja (enabled=var('x', True)) is kept as written.
            call.kwargs[str(arg[0].value)] = value if ok else "{{ " + _render(arg[2:]) + " }}"
        else:
            ok, value = (len(arg) == 1 and arg[0].type == "string"), arg[0].value if len(arg) == 1 else None
            positional.append(str(value))
        call.static = call.static and ok
    call.text = f"{kind}({', '.join(_render(arg) for arg in args)})"
    if call.static:
        call.args = tuple(positional)
    if kind == "config":
        call.static = True  # only its literal keywords matter; the others are left out
    return call


def jinja_calls(source: str) -> list[Call]:
    """Every ``ref``, ``source`` and ``config`` call of a dbt file, in order (see the module docstring)."""
    tokens = _tokens(source)
    out: list[Call] = []
    i = 0
    while i < len(tokens) - 1:
        tok = tokens[i]
        after_dot = i > 0 and tokens[i - 1].type == "dot"
        if tok.type == "name" and tok.value in _CALLS and tokens[i + 1].type == "lparen" and not after_dot:
            args, end = _arguments(tokens, i + 1)
            out.append(_call(str(tok.value), tok.lineno, args))
            i = end
            continue
        i += 1
    return out


def _jinja_free(source: str, blocks: bool, written: dict[str, str] | None = None) -> Iterator[str]:
    """The model with each Jinja expression replaced by a stable placeholder word.

    ``{% %}`` blocks get a placeholder too with ``blocks``, else vanish (so that
    ``select a, {% if x %} b, {% endif %} c`` still parses); ``config`` calls always vanish.
    ``written`` collects each placeholder's Jinja as written.
    """
    inside: list[Token] = []
    # Without blocks, the text of a block set ({% set q %}...{% endset %}) or a macro is no output: hidden.
    opened, hidden = "{{", ""
    for tok in _tokens(source):
        if tok.type in ("variable_begin", "block_begin"):
            inside, opened = [], "{{" if tok.type == "variable_begin" else "{%"
        elif tok.type == "block_end" and not blocks:
            hidden, inside = _hiding(inside, hidden), []
        elif hidden:
            inside.append(tok)  # only to see the block that ends the hidden text
        elif tok.type == "data":
            yield str(tok.value)
        elif tok.type in ("variable_end", "block_end"):
            if not inside or inside[0].value != "config":  # config() sets how a model is built, not what it computes
                word = "__jinja_" + "_".join(_word(str(t.value)) for t in inside) + "__"
                if written is not None:
                    written[word.lower()] = f"{opened} {_render(inside)} {'}}' if opened == '{{' else '%}'}"
                yield f" {word} "
        else:
            inside.append(tok)


def _hiding(block: list[Token], hidden: str) -> str:
    """Which block hides its text after this ``{% ... %}``: a block ``set`` or a ``macro``, until its end."""
    words = [str(t.value) for t in block if t.type == "name"]
    if hidden:
        return "" if words[:1] == [f"end{hidden}"] else hidden
    if words[:1] == ["set"] and not any(t.type == "assign" for t in block):
        return "set"
    return "macro" if words[:1] == ["macro"] else ""


def _render(tokens: list[Token]) -> str:
    """Jinja tokens written back compactly: ``dbt_utils.star(ref('t'))``."""
    out, before = "", ""
    for tok in tokens:
        text = repr(tok.value) if tok.type == "string" else str(tok.value)
        tight = tok.type in ("dot", "lparen", "rparen", "comma", "lbracket", "rbracket", "assign") or before in (
            "lparen",
            "dot",
            "lbracket",
            "assign",
        )
        out += text if tight or not out else f" {text}"
        before = tok.type
    return out


def _word(value: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in value)


def jinja_free_sql(source: str) -> str:
    """SQL with its Jinja turned into placeholder identifiers (``{{ ref('t') }}`` → ``__jinja_ref__t___``)."""
    return "".join(_jinja_free(source, True))


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_PLACEHOLDER = re.compile(r"\s__jinja_\w+__")
_BEFORE = re.compile(r"([A-Za-z0-9_\")\]]+)\s*$")
_KEYWORDS = {
    "select",
    "distinct",
    "from",
    "join",
    "on",
    "and",
    "or",
    "where",
    "by",
    "as",
    "when",
    "then",
    "else",
    "in",
    "not",
    "case",
    "union",
    "all",
    "having",
    "using",
    "with",
    "into",
    "over",
    "partition",
    "limit",
    "is",
    "like",
    "between",
    "left",
    "right",
    "inner",
    "outer",
    "full",
    "cross",
    "lateral",
    "table",
    "values",
    "set",
    "return",
    "end",
}


def _with_commas(text: str) -> str:
    """A comma before each Jinja placeholder that follows a column (``a.x {{ more_columns() }}``)."""
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(text):
        before = _BEFORE.search(text, 0, match.start() + 1)
        word = before.group(1).lower() if before else ""
        if word and word not in _KEYWORDS and not word.startswith("__jinja_"):
            out.append(text[last : match.start()] + " ,")
            last = match.start()
    return "".join(out) + text[last:]


_REF_WORD = re.compile(r"\{\{ ref\([^{}]*\) \}\}")


def rename_body(tokens: str) -> str:
    """The tokens with the names of the models they ``ref`` taken out: a model's rename body.

    Models are often renamed together (``salesforce_x`` → ``salesforce__x``
    throughout), so a renamed model's refs change with it; what it does stays.

    >>> old = rename_body(sql_tokens("select * from {{ ref('salesforce_opps') }}"))
    >>> old == rename_body(sql_tokens("select * from {{ ref('salesforce__opps') }}"))
    True
    """
    return _REF_WORD.sub("{{ ref }}", tokens)


def sql_tokens(source: str) -> str:
    """The model's tokens, without comments and layout: equal for two files that differ only in those.

    SQL keywords are compared in upper case; Jinja calls by their tokens.
    When the SQL cannot be tokenised, whitespace alone is folded.
    """
    # sqlglot loads in a fraction of a second: only when a model's SQL is read, never for a manifest.
    from sqlglot import Tokenizer, TokenType
    from sqlglot.errors import SqlglotError

    written: dict[str, str] = {}
    text = "".join(_jinja_free(source, True, written))
    try:
        tokens = Tokenizer().tokenize(text)
    except (SqlglotError, ValueError):
        return " ".join(written.get(w.lower(), w) for w in text.split())
    words = []
    for tok in tokens:
        if tok.token_type == TokenType.STRING:
            words.append("'" + tok.text + "'")
        elif tok.token_type in (TokenType.VAR, TokenType.IDENTIFIER):
            words.append(written.get(tok.text.lower(), tok.text))  # Jinja reads as written: {{ ref('orders') }}
        else:
            words.append(tok.text.upper())
    return " ".join(words)


def _final_select(tree: object) -> object | None:
    """The SELECT that gives the model's rows: through set operations and ``select * from <cte>``."""
    from sqlglot import exp  # loaded only when a model's SQL is read (see sql_tokens)

    node = tree
    ctes: dict[str, exp.Expression] = {}
    for _ in range(50):
        if isinstance(node, exp.Query):
            with_ = node.args.get("with_") or node.args.get("with")
            for cte in with_.expressions if with_ else []:
                ctes[cte.alias_or_name.lower()] = cte.this
        if isinstance(node, exp.Union | exp.Except | exp.Intersect):
            node = node.this
            continue
        if isinstance(node, exp.Subquery):
            node = node.this
            continue
        if not isinstance(node, exp.Select):
            return None
        stars = [e for e in node.expressions if isinstance(e, exp.Star)]
        from_ = node.args.get("from_") or node.args.get("from")
        source = from_.this if from_ is not None else None
        if stars and len(node.expressions) == 1 and not node.args.get("joins"):
            if isinstance(source, exp.Table) and source.name.lower() in ctes:
                node = ctes.pop(source.name.lower())
                continue
            if isinstance(source, exp.Subquery):
                node = source.this
                continue
        return node
    return None


def output_columns(source: str) -> tuple[str, ...] | None:
    """The model's output column names, sorted (lower case), or ``None`` when the SQL cannot be read.

    >>> output_columns("with a as (select id, amount * 100 as cents from {{ ref('t') }}) select * from a")
    ('cents', 'id')
    >>> output_columns("{{ config(alias='x') }} select o.id, {% if var('x') %} o.extra, {% endif %} o.total from o")
    ('extra', 'id', 'total')
    >>> output_columns("select * from {{ ref('t') }}") is None
    True
    >>> output_columns("{% set q %} select min(day) from t {% endset %} select id, {{ x }} as day from t")
    ('day', 'id')
    >>> output_columns("select a.id {{ fill_columns('extra') }}, a.total from a")
    ('id', 'total')
    """
    # Loaded only when a model's SQL is read (see sql_tokens).
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    written: dict[str, str] = {}
    text = _COMMENTS.sub(" ", "".join(_jinja_free(source, False, written))).strip().rstrip(";")
    tree = None
    # A macro that writes its own leading comma (", a.x, a.y") follows a column with none: try with one.
    for attempt in (_with_commas(text), text):
        try:
            tree = sqlglot.parse_one(attempt)
            break
        except (SqlglotError, ValueError, RecursionError):
            continue
    select = _final_select(tree)
    if not isinstance(select, exp.Select):
        return None
    names, stars = [], 0
    for expr in select.expressions:
        if isinstance(expr, exp.Star) or (isinstance(expr, exp.Column) and isinstance(expr.this, exp.Star)):
            stars += 1
            names.append(expr.sql().lower())
        else:
            names.append((expr.alias_or_name or expr.sql()).lower())
    if stars == len(names):
        return None  # only 'select *' (or 't.*'): the columns are the upstream's, not readable here
    return tuple(sorted({n for n in names if n not in written}))  # a column list made by Jinja is no column name


_NOT_MACROS = {
    "ref",
    "source",
    "config",
    "var",
    "env_var",
    "doc",
    "return",
    "log",
    "exceptions",
    "adapter",
    "is_incremental",
    "this",
    "range",
    "dict",
    "list",
    "print",
}


def called_macros(source: str) -> set[str]:
    """Names called in the file's Jinja (``merge_contacts()``, ``fivetran_utils.union_connections()``), not builtins.

    >>> sorted(called_macros("{{ merge_contacts() }} {{ dbt_utils.star(ref('a')) }} {{ var('x') }} {{ x.upper() }}"))
    ['dbt_utils.star', 'merge_contacts', 'x.upper']
    """
    tokens = _tokens(source)
    out: set[str] = set()
    for i in range(len(tokens) - 1):
        tok = tokens[i]
        if tok.type != "name" or tokens[i + 1].type != "lparen" or tok.value in _NOT_MACROS:
            continue
        name = str(tok.value)
        if i >= 2 and tokens[i - 1].type == "dot" and tokens[i - 2].type == "name":
            name = f"{tokens[i - 2].value}.{name}"
        out.add(name)
    return out


def macro_blocks(source: str) -> dict[str, str]:
    """Each ``{% macro name(...) %}`` of a macros file → its body (the text up to ``{% endmacro %}``).

    >>> macro_blocks("{% macro a(x) %}select {{ ref('t') }}{% endmacro %}\\n{% macro b() %}{{ a(1) }}{% endmacro %}")
    {'a': "select {{ ref('t') }}", 'b': '{{ a(1) }}'}
    """
    out: dict[str, str] = {}
    for match in _MACRO.finditer(source):
        end = _ENDMACRO.search(source, match.end())
        out[match.group(1)] = source[match.end() : end.start() if end else len(source)]
    return out
