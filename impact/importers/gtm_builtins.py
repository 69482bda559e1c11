"""Google Tag Manager's built-in variables: one name each, whatever the spelling an export uses.

A container refers to a built-in variable in several ways: by its name
(``{{Page Path}}``), by its internal name (``{{_event}}``, which custom-event
triggers use, and ``{{_url}}``), or by the name it had before GTM's 2015
redesign (``{{url path}}``, ``{{element id}}``). Each is the same variable:
:func:`builtin_names` maps every spelling to the name the container gives it
(its ``builtInVariable`` list), else to GTM's own name below, so that every
trigger, tag and variable using it depends on one asset (``variable/Event``).

A variable the container defines itself keeps its own name, even when it is
spelt like a built-in's old name (a Data Layer Variable called ``event``).

Examples
--------
>>> names = builtin_names([])
>>> [names[k] for k in (normal("_event"), normal("Event"), normal("_url"), normal("url path"), normal("Page Path"))]
['Event', 'Event', 'Page URL', 'Page Path', 'Page Path']
>>> resolve("_event", set(), names), resolve("event", {"event"}, names), resolve("My Var", set(), names)
('Event', 'event', 'My Var')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# (export type, GTM's name, older or internal spellings); GTM's API reference, BuiltInVariableType.
BUILT_IN_VARIABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("PAGE_URL", "Page URL", ("url", "_url")),
    ("PAGE_HOSTNAME", "Page Hostname", ("url hostname", "_url_hostname")),
    ("PAGE_PATH", "Page Path", ("url path", "_url_path")),
    ("REFERRER", "Referrer", ("referrer", "_referrer")),
    ("EVENT", "Event", ("event", "_event")),
    ("CLICK_ELEMENT", "Click Element", ("element",)),
    ("CLICK_CLASSES", "Click Classes", ("element classes",)),
    ("CLICK_ID", "Click ID", ("element id",)),
    ("CLICK_TARGET", "Click Target", ("element target",)),
    ("CLICK_URL", "Click URL", ("element url",)),
    ("CLICK_TEXT", "Click Text", ("element text",)),
    ("FORM_ELEMENT", "Form Element", ()),
    ("FORM_CLASSES", "Form Classes", ()),
    ("FORM_ID", "Form ID", ()),
    ("FORM_TARGET", "Form Target", ()),
    ("FORM_URL", "Form URL", ()),
    ("FORM_TEXT", "Form Text", ()),
    ("ERROR_MESSAGE", "Error Message", ()),
    ("ERROR_URL", "Error URL", ()),
    ("ERROR_LINE", "Error Line", ()),
    ("NEW_HISTORY_URL", "New History URL", ()),
    ("OLD_HISTORY_URL", "Old History URL", ()),
    ("NEW_HISTORY_FRAGMENT", "New History Fragment", ("history new url fragment",)),
    ("OLD_HISTORY_FRAGMENT", "Old History Fragment", ("history old url fragment",)),
    ("NEW_HISTORY_STATE", "New History State", ("history new state",)),
    ("OLD_HISTORY_STATE", "Old History State", ("history old state",)),
    ("HISTORY_SOURCE", "History Source", ("history change source",)),
    ("CONTAINER_VERSION", "Container Version", ("container version",)),
    ("CONTAINER_ID", "Container ID", ()),
    ("DEBUG_MODE", "Debug Mode", ("debug mode",)),
    ("RANDOM_NUMBER", "Random Number", ("random number",)),
    ("HTML_ID", "HTML ID", ()),
    ("ENVIRONMENT_NAME", "Environment Name", ()),
    ("VIDEO_PROVIDER", "Video Provider", ()),
    ("VIDEO_URL", "Video URL", ()),
    ("VIDEO_TITLE", "Video Title", ()),
    ("VIDEO_DURATION", "Video Duration", ()),
    ("VIDEO_PERCENT", "Video Percent", ()),
    ("VIDEO_VISIBLE", "Video Visible", ()),
    ("VIDEO_STATUS", "Video Status", ()),
    ("VIDEO_CURRENT_TIME", "Video Current Time", ()),
    ("SCROLL_DEPTH_THRESHOLD", "Scroll Depth Threshold", ()),
    ("SCROLL_DEPTH_UNITS", "Scroll Depth Units", ()),
    ("SCROLL_DEPTH_DIRECTION", "Scroll Direction", ()),
    ("ELEMENT_VISIBILITY_RATIO", "Percent Visible", ()),
    ("ELEMENT_VISIBILITY_TIME", "On-Screen Duration", ()),
    ("ELEMENT_VISIBILITY_FIRST_TIME", "Element Visibility First Time", ()),
    ("ELEMENT_VISIBILITY_RECENT_TIME", "Element Visibility Recent Time", ()),
    ("EVENT_NAME", "Event Name", ()),
    ("CLIENT_NAME", "Client Name", ()),
    ("REQUEST_PATH", "Request Path", ()),
    ("REQUEST_METHOD", "Request Method", ()),
    ("QUERY_STRING", "Query String", ()),
    ("APP_ID", "App ID", ()),
    ("APP_NAME", "App Name", ()),
    ("APP_VERSION_CODE", "App Version Code", ()),
    ("APP_VERSION_NAME", "App Version Name", ()),
    ("LANGUAGE", "Language", ()),
    ("OS_VERSION", "OS Version", ()),
    ("PLATFORM", "Platform", ()),
    ("SDK_VERSION", "SDK Version", ()),
    ("DEVICE_NAME", "Device Name", ()),
    ("RESOLUTION", "Resolution", ()),
    ("ADVERTISER_ID", "Advertiser ID", ()),
    ("ADVERTISING_TRACKING_ENABLED", "Advertising Tracking Enabled", ()),
)


def normal(name: str) -> str:
    """A spelling folded for comparison: case, a leading ``_`` and ``_`` for spaces do not matter."""
    return " ".join(name.strip().lstrip("_").replace("_", " ").lower().split())


def builtin_names(exported: Iterable[Any]) -> dict[str, str]:
    """Every folded spelling of a built-in → its one name (the container's own, else GTM's)."""
    given: dict[str, str] = {
        str(v.get("type")): v["name"] for v in exported if isinstance(v, dict) and isinstance(v.get("name"), str)
    }
    names: dict[str, str] = {}
    for type_, name, older in BUILT_IN_VARIABLES:
        canonical = given.get(type_, name)
        for spelling in (type_, name, canonical, *older):
            names.setdefault(normal(spelling), canonical)
    for given_type, given_name in given.items():  # a built-in this table does not list yet
        names.setdefault(normal(given_name), given_name)
        names.setdefault(normal(given_type), given_name)
    return names


def resolve(reference: str, defined: set[str], names: dict[str, str]) -> str:
    """The variable a ``{{reference}}`` means: a variable the container defines, else the built-in, else itself."""
    if reference in defined:
        return reference
    return names.get(normal(reference), reference)


def is_builtin(name: str, names: dict[str, str]) -> bool:
    """Whether ``name`` (already resolved) is a built-in variable's name."""
    return names.get(normal(name)) == name
