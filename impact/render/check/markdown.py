"""Markdown output, for pasting into a ticket or pull request."""

from __future__ import annotations

from impact.analysis.check import CheckResult
from impact.analysis.decision import decide
from impact.render.check import CheckAnswer, CheckAnswers
from impact.render.check.data import check_dict
from impact.render.check.text import SHOWN_FOLDED, risk_groups, summary_line
from impact.render.readiness import readiness_markdown
from impact.render.templating import md_code, md_text, render


def answer_block(result: CheckResult) -> str:
    """The answer first, as Markdown: verdict, sign-off, tests, untested critical assets."""
    decision = decide(result)
    headline = md_text(decision.headline)
    lines = [f"**{headline}**", ""]
    if result.path_sentence:
        lines += [md_text(result.path_sentence), ""]
    sign = ", ".join(f"{md_code(s.team)} ({md_text(s.why)})" for s in result.sign_off)
    lines.append(f"- **Sign off:** {sign or 'no team'}")
    lines.append(f"- **Tests:** {md_text(decision.cost)}")
    if result.untested_critical:
        names = {a: result.catalog.assets[a].name for a in result.untested_critical}
        shown = ", ".join(md_code(a) + (f" {md_text(names[a])}" if names[a] else "") for a in result.untested_critical)
        lines.append(f"- **Untested critical:** {shown}")
    ready = readiness_markdown(decision, md_text)
    return "\n".join(lines) + (f"\n\n{ready}" if ready else "")


def render_check(result: CheckResult, templates: str | None = None, *, show_all: bool = False) -> str:
    data = check_dict(result)
    by_asset = {r["asset"]: r for r in data["impacted"]}
    groups = [
        {
            "level": g.level,
            "count": g.count,
            "rows": [by_asset[r.asset] for r in g.shown],
            "folded": [
                {
                    "system": f.system,
                    "count": len(f.assets),
                    "span": f.span,
                    "assets": list(f.assets[:SHOWN_FOLDED]),
                    "more": max(0, len(f.assets) - SHOWN_FOLDED),
                }
                for f in g.folded
            ],
        }
        for g in risk_groups(result, show_all=show_all)
    ]
    return render(
        "check.md.j2",
        templates,
        summary_text=summary_line(result),
        answer_text=answer_block(result),
        release_path=data.get("release_path"),
        risk_groups=groups,
        **{k: v for k, v in data.items() if k != "release_path"},
    )


def check_markdown(answer: CheckAnswer) -> str:
    """``impact check --format markdown``."""
    return render_check(answer.result, show_all=answer.show_all)


def checks_markdown(answers: CheckAnswers) -> str:
    """Several Markdown answers one after the other, each followed by a rule, then the summary in bold."""
    answers_md = (render_check(r, show_all=answers.show_all) + "\n---\n\n" for r in answers.results)
    return "".join(answers_md) + f"**{answers.summary()}**\n"
