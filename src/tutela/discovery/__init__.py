"""Discovery: personal data nobody declared, in databases and in text.

Detectors (:mod:`tutela.discovery.detectors`, one per file, declared as data in the
style of Presidio's recognizers) are the ``detectors`` kind of :mod:`tutela.plugins`:
built-ins and plug-ins are registered and loaded the same way
(:mod:`tutela.discovery.registry`). Each says which fideslang category it finds, with
a confidence and the evidence it used.

On top of them: column classification from a sample of values and the column's name
(:mod:`tutela.discovery.columns`), spans in free text (:mod:`tutela.discovery.text`),
dataset proposals (:mod:`tutela.discovery.proposal`), schema drift against the
programme (:mod:`tutela.discovery.drift`) and the Art. 9 moderation of community posts
(:mod:`tutela.discovery.moderation`). Nothing here does I/O: the sample comes from a
connector (:class:`tutela.ports.Sampling`).
"""
