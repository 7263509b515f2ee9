"""Anonymised releases with a measured re-identification risk (Recital 26, AN-1..AN-3).

A release generalises its quasi-identifiers until a declared privacy model holds
(k-anonymity, l-diversity, t-closeness; small-cell suppression for aggregate tables),
suppressing at most a declared share of records, with the least information loss the
search finds, then reports the risk that remains. The parts:

- :mod:`~tutela.anonymise.hierarchies`: how a value generalises (intervals for numbers
  and dates, declared trees for categories, sets otherwise), and what that costs (NCP);
- :mod:`~tutela.anonymise.table`: the quasi-identifiers encoded as integer codes;
- :mod:`~tutela.anonymise.privacy`: the privacy models, checked on equivalence classes;
- :mod:`~tutela.anonymise.mondrian` (multidimensional local recoding, for large data)
  and :mod:`~tutela.anonymise.lattice` (optimal full-domain generalisation with pruning,
  for small sets of quasi-identifiers);
- :mod:`~tutela.anonymise.metrics`: achieved k, l, t, risks and information loss;
- :mod:`~tutela.anonymise.release`: one release from its declaration to its report.

No I/O here: the rows come in as columns of strings, the release goes out the same way.
"""
