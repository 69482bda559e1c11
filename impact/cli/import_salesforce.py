"""``impact import salesforce`` and ``salesforce-deps``: a Salesforce org, from its source or its dependency export."""

from __future__ import annotations

from pathlib import Path

import click

from impact.cli.importers import finish_import, import_group, import_options, progress


@import_group.command("salesforce-deps")
@click.argument("deps", metavar="DEPS.csv", type=click.Path(dir_okay=False))
@click.option(
    "--system", default="salesforce", show_default=True, metavar="ID", help="System id of the Salesforce org."
)
@click.option(
    "--fields",
    "fields",
    metavar="FIELDS.csv",
    type=click.Path(dir_okay=False),
    help="CustomField export (Id, EntityDefinition.QualifiedApiName) that tells each custom field's object.",
)
@import_options
def import_salesforce(
    deps: str, system: str, fields: str | None, output: str, owner: str | None, catalog: str | None
) -> None:
    """Salesforce metadata and what it depends on, from MetadataComponentDependency.

    Export the query as CSV with its Id columns:

    \b
        SELECT MetadataComponentId, MetadataComponentName, MetadataComponentType,
        RefMetadataComponentId, RefMetadataComponentName, RefMetadataComponentType
        FROM MetadataComponentDependency

    The Tooling API answers at most 2,000 rows, and 'sf data query
    --use-tooling-api' stops there without a word: a real org has many
    thousands of dependencies, so run the query as a Bulk API 2.0 job on the
    Tooling API (up to 100,000 rows) and give its CSV result; impact warns
    when a file has exactly 2,000 rows.

    A dependency export names a custom field without its object; give
    --fields with the Tooling API export of SELECT Id, DeveloperName,
    EntityDefinition.QualifiedApiName FROM CustomField so that each field
    gets its canonical id (field/Lead.Division__c). Ids are the ones 'impact
    import salesforce' writes (object/, field/, flow/, apex-class/,
    apex-trigger/, validation-rule/, workflow-rule/); other types are keyed
    <type>/<name>, e.g. apexpage/Welcome.

    \b
    Example:
        impact import salesforce-deps deps.csv --fields fields.csv --owner salesops -o catalog/salesforce-metadata.yaml
    """
    from impact.importers.readers import read_salesforce_deps

    imported = read_salesforce_deps(Path(deps), system, owner, Path(fields) if fields else None)
    finish_import(output, imported, catalog, deps)


@import_group.command("salesforce")
@click.argument("project", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "--system", default="salesforce", show_default=True, metavar="ID", help="System id of the Salesforce org."
)
@import_options
def import_salesforce_source(project: str, system: str, output: str, owner: str | None, catalog: str | None) -> None:
    """Objects, fields, rules, flows, queues and Apex from a Salesforce project in source format.

    DIR is the project folder (with force-app/) or any folder whose tree
    holds objects/, flows/, assignmentRules/, queues/, workflows/, classes/
    and triggers/; no API or network is used. Ids: object/Lead,
    field/Lead.Division__c, validation-rule/Lead.Rule, flow/Flow_Name,
    assignment-rule/Lead.Rule name, queue/Queue_Name,
    workflow-rule/Lead.Rule, apex-class/Name, apex-trigger/Name. Formula
    fields, validation rules, assignment rules, workflow rules and flows
    depend on the fields they read; a flow on the flows it calls; an
    automation that writes a field depends on its name, schema and
    availability, and the field on it; a queue depends on the assignment
    rules routing into it.
    A dependency lists the picklist values its asset only compares the
    field with (ISPICKVAL, criteria, flow conditions): values: [Closed].
    Inactive, draft and obsolete items are imported and say so.

    \b
    Example:
        impact import salesforce force-app --owner salesops -o catalog/salesforce.yaml
    """
    from impact.importers.salesforce_values import read_salesforce_values

    finish_import(output, read_salesforce_values(Path(project), system, owner, progress), catalog, project)
