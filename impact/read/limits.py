"""What impact agrees to read: YAML files by their suffix, and sizes refused before parsing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from impact.core.errors import ImpactError, Problem, display_path

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Limits:
    """Sizes refused before parsing; overridable with environment variables."""

    max_file_bytes: int = 64 * 2**20
    max_catalog_bytes: int = 1024 * 2**20

    @classmethod
    def from_env(cls) -> Limits:
        def mib(name: str, default: int) -> int:
            raw = os.environ.get(name)
            try:
                return int(float(raw) * 2**20) if raw else default
            except (ValueError, OverflowError):  # "abc", "nan", "inf"
                raise ImpactError(f"{name}={raw!r} is not a number of MiB") from None

        return cls(
            mib("IMPACT_MAX_FILE_MB", cls.max_file_bytes),
            mib("IMPACT_MAX_CATALOG_MB", cls.max_catalog_bytes),
        )


def read_limited(path: Path, limit: int) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise ImpactError(
            Problem(
                display_path(path),
                0,
                0,
                f"this file is {size / 2**20:.1f} MiB, more than the limit of "
                f"{limit / 2**20:.0f} MiB (IMPACT_MAX_FILE_MB)",
            )
        )
    return path.read_bytes()
