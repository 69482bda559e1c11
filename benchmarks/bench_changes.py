"""CPU seconds of `impact changes` on a generated Salesforce org (issue #22's targets).

    python benchmarks/bench_changes.py [--fields 24000] [--repeat 3]

Writes an org in source format with FIELDS fields (100 per object: text,
picklists with values, formulas reading other fields), a validation rule per
object and a record-triggered flow per ten objects, then measures, as whole
processes (user + system CPU of the child, medians):

- **two exports**: ``impact changes salesforce OLD NEW`` where NEW is OLD with
  three files edited (a label, a picklist value, a formula): the bytes of
  every file are compared, and the files that differ are read (target:
  ≤ 10 s); then the same with every file of NEW re-indented, so that every
  file of both exports is read;
- **--base**: the same org committed in a git repository whose catalog lists
  it under ``sources:``, then a commit editing the same three files;
  ``impact changes --base HEAD~1`` reads only those, from git (target: ≤ 2 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

FIELD = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>{name}</fullName>
    <label>{label}</label>
{body}</CustomField>
"""
PICKLIST = """    <type>Picklist</type>
    <valueSet>
        <valueSetDefinition>
{values}        </valueSetDefinition>
    </valueSet>
"""
VALUE = "            <value><fullName>{v}</fullName><default>false</default><label>{v}</label></value>\n"
RULE = """<?xml version="1.0" encoding="UTF-8"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Check_{obj}</fullName>
    <active>true</active>
    <errorConditionFormula>ISBLANK(Field_1__c) &amp;&amp; Field_2__c &gt; 0</errorConditionFormula>
    <errorMessage>Field 1 is required.</errorMessage>
</ValidationRule>
"""
FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>On {obj}</label>
    <processType>AutoLaunchedFlow</processType>
    <start>
        <locationX>50</locationX><locationY>0</locationY>
        <object>{obj}</object>
        <recordTriggerType>Update</recordTriggerType>
        <triggerType>RecordBeforeSave</triggerType>
        <filters><field>Field_3__c</field><operator>IsChanged</operator><value><booleanValue>true</booleanValue></value></filters>
    </start>
    <status>Active</status>
</Flow>
"""


def field_body(i: int) -> str:
    if i % 10 == 0:
        return PICKLIST.format(values="".join(VALUE.format(v=f"Value {k}") for k in range(8)))
    if i % 10 == 1:
        return f"    <type>Text</type>\n    <formula>Field_{i + 1}__c &amp; &quot;-&quot; &amp; Field_{i + 2}__c</formula>\n"
    return "    <type>Text</type>\n    <length>80</length>\n    <description>A generated field.</description>\n"


def write_org(root: Path, fields: int) -> list[str]:
    """The org under ``root/force-app/main/default``; the three files the benchmark edits."""
    base = root / "force-app" / "main" / "default"
    per_object = 100
    for o in range(max(1, fields // per_object)):
        obj = f"Object_{o}__c"
        folder = base / "objects" / obj
        (folder / "fields").mkdir(parents=True)
        (folder / "validationRules").mkdir()
        (folder / f"{obj}.object-meta.xml").write_text(
            f'<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>Object {o}</label></CustomObject>\n'
        )
        for i in range(per_object):
            name = f"Field_{i}__c"
            (folder / "fields" / f"{name}.field-meta.xml").write_text(
                FIELD.format(name=name, label=f"Field {i}", body=field_body(i))
            )
        (folder / "validationRules" / f"Check_{obj}.validationRule-meta.xml").write_text(RULE.format(obj=obj))
        if o % 10 == 0:
            (base / "flows").mkdir(exist_ok=True)
            (base / "flows" / f"On_{obj}.flow-meta.xml").write_text(FLOW.format(obj=obj))
    return [
        "force-app/main/default/objects/Object_1__c/fields/Field_5__c.field-meta.xml",
        "force-app/main/default/objects/Object_2__c/fields/Field_10__c.field-meta.xml",
        "force-app/main/default/objects/Object_3__c/fields/Field_11__c.field-meta.xml",
    ]


def edit(root: Path, paths: list[str]) -> None:
    edits = [
        ("<label>Field 5</label>", "<label>Field five</label>"),
        ("<label>Value 7</label></value>", "<label>Value 7</label></value>" + VALUE.format(v="Recycled")),
        ("Field_12__c &amp;", "Field_13__c &amp;"),
    ]
    for path, (old, new) in zip(paths, edits):
        file = root / path
        file.write_text(file.read_text().replace(old, new, 1))


def reexport(root: Path) -> None:
    """Every metadata file indented with tabs, as another tool's export would be: nothing the catalog tracks."""
    for path in root.rglob("*-meta.xml"):
        path.write_text(path.read_text().replace("    ", "\t"))


def cpu(cmd: list[str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, "CI": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "Recycled" not in done.stdout:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fields", type=int, default=24_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    impact = str(Path(sys.executable).parent / "impact")
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as tmp:
        work = Path(tmp)
        paths = write_org(work / "old", args.fields)
        shutil.copytree(work / "old", work / "new")
        edit(work / "new", paths)
        pair = [cpu([impact, "changes", "salesforce", "old", "new"], work) for _ in range(args.repeat)]
        reexport(work / "new")  # every file re-indented: both exports read whole
        whole = [cpu([impact, "changes", "salesforce", "old", "new"], work) for _ in range(args.repeat)]
        repo = work / "repo"
        shutil.copytree(work / "old", repo)
        (repo / "catalog").mkdir()
        (repo / "catalog" / "salesforce.yaml").write_text("sources:\n- kind: salesforce\n  path: ../force-app\n")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "org")
        edit(repo, paths)
        git(repo, "commit", "-q", "-am", "three edits")
        based = [cpu([impact, "changes", "--base", "HEAD~1"], repo) for _ in range(args.repeat)]
    files = args.fields + args.fields // 100 * 2 + args.fields // 1000
    print(f"org: {args.fields:,} fields, {files:,} metadata files; three files edited")
    print(f"impact changes salesforce OLD NEW   {statistics.median(pair):6.2f} s CPU (target 10 s)")
    print(f"  every file re-indented too         {statistics.median(whole):6.2f} s CPU (every file read)")
    print(f"impact changes --base HEAD~1        {statistics.median(based):6.2f} s CPU (target 2 s)")


if __name__ == "__main__":
    main()
