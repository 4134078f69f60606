"""Moments of truth: does the weight of a ring depend on the kind of contact?

Three tools for the claim that a minority of contacts -- emotional or complex moments
such as a lost card, a cancelled flight, a complaint -- decide loyalty:

* :func:`moderation` -- OLS with HC3 standard errors of an outcome on ring (or construct)
  scores, a moderator and their products; interaction tests with a Holm adjustment across
  drivers, simple slopes (Aiken & West 1991) and, for a continuous moderator, the
  Johnson-Neyman region of significance (Johnson & Neyman 1936; Bauer & Curran 2005).
* :func:`moment_share` -- how much of the ring-driven variation in loyalty sits in the
  emotional moments, next to their share of contacts, with a bootstrap interval.
* :func:`recovery_paradox` -- outcome after no failure, a recovered failure and an
  unrecovered failure (McCollough, Berry & Yadav 2000; De Matos, Henrique & Rossi 2007)."""

from __future__ import annotations

from ._moderation import ModerationResult, moderation
from ._recovery import RecoveryResult, recovery_paradox
from ._share import MomentShareResult, moment_share

__all__ = ["moderation", "moment_share", "recovery_paradox", "ModerationResult", "MomentShareResult",
           "RecoveryResult"]
