"""What changed between two coalition briefs of one story: a :class:`BriefDiff`, made by :mod:`summarise.merge.diff`.

Every change names what it is about and carries the supports (source and evidence words) of the
brief where it holds: the newer brief for what appeared or changed, the older for what is gone.
``schemas/brief_diff.schema.json`` is generated from :class:`BriefDiff`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from summarise.schemas.merged import Source, Support

ChangeKind = Literal[
    "source_added",
    "source_removed",
    "coalition_appeared",
    "coalition_disappeared",
    "member_added",
    "member_removed",
    "member_status",
    "leader",
    "member_count",
    "conflict_new",
    "conflict_changed",
    "conflict_settled",
    "event_added",
    "figure_new",
    "figure_value",
]


class Change(BaseModel):
    """One difference between the older and the newer brief."""

    model_config = ConfigDict(extra="forbid")

    kind: ChangeKind
    coalition: str | None = Field(default=None, description="The coalition it is about, by its name in the brief.")
    subject: str = Field(description="What changed: a member, a conflict's subject, an event, a figure, a source.")
    before: str | None = Field(default=None, description="What the older brief says (null: nothing).")
    after: str | None = Field(default=None, description="What the newer brief says (null: nothing).")
    supports: list[Support] = Field(
        default_factory=list, description="The sources and their words that state it, in the brief where it holds."
    )


class BriefDiff(BaseModel):
    """The changes from an older to a newer coalition brief, in the order of the brief's sections."""

    model_config = ConfigDict(extra="forbid")

    story: str
    old_sources: int = Field(description="How many sources the older brief has.")
    new_sources: int = Field(description="How many sources the newer brief has.")
    sources: list[Source] = Field(
        description="The newer brief's sources, then any the older had that the newer has not (labelled 'old S3')."
    )
    changes: list[Change] = Field(default_factory=list)
