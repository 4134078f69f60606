"""Ring specification: which survey items measure which construct in which ring.

A :class:`RingSpec` is declarative. It is read from YAML or a dict, written back
to YAML, and checks a survey DataFrame with :meth:`RingSpec.validate`, which
returns a cleaned copy (missing-value codes to NaN, reverse-keyed items
recoded) or raises one :class:`~ringstats.errors.ValidationError` listing every
problem found. The caller's DataFrame is never modified.

A minimal YAML file::

    name: my_survey
    scales:
      likert5: {min: 1, max: 5}
    default_scale: likert5
    constructs:
      product_quality: {ring: 1, items: [q1, q2, q3]}
      ease:            {ring: 2, items: [e1, e2, e3]}
      feeling_seen:    {ring: 3, items: [s1, s2, s3], scale: likert5}
    outcomes:
      ltr: recommend            # 0-10 likelihood to recommend
      loyalty: [loy1, loy2, loy3]
      behaviour: repurchased    # optional 0/1 column
    missing_codes: [-99]
    reverse_keyed: [e3]
    segment: segment            # optional
    moment: moment_type         # optional
    team: team_id               # optional

Outcomes, missing codes and NPS rules in full::

    scales:
      five: {min: 1, max: 5, missing: [0]}      # 0 = "not applicable" on this scale only
    outcomes:
      ltr:                                       # a recommend item on another scale
        column: recommend
        scale: {min: 1, max: 7}
        nps: {promoters: [7], detractors: [1, 2, 3, 4]}   # NPS then labelled non-standard
      satisfied:                                 # any named outcome
        column: satisfaction
        kind: binary                             # continuous | binary | ordinal
        positive: satisfied                      # the text label that counts as 1
      default: satisfied                         # the outcome analyses use by default
    column_missing: {q7: [98]}                  # codes of one column

Every analysis applies these rules through :meth:`RingSpec.clean`, the one place
they live; the full reference is the book's appendix page on the spec.
"""

from ._columns import _as_float, _binary_column, _column_problems
from ._ringspec import _REVERSED_ATTR, RING_LABELS, RING_TOKENS, Construct, RingSpec, blocks_of
from ._scales import (
    LTR_SCALE,
    OUTCOME_KINDS,
    STANDARD_NPS,
    NPSRule,
    OutcomeSpec,
    Scale,
)

__all__ = [
    "Scale", "Construct", "RingSpec", "OutcomeSpec", "NPSRule", "LTR_SCALE", "STANDARD_NPS",
    "OUTCOME_KINDS", "RING_LABELS", "RING_TOKENS", "blocks_of",
]
_private = (_as_float, _binary_column, _column_problems, _REVERSED_ATTR)  # used by ringstats._data
