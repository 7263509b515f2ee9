"""Background work: idempotent job steps keyed by (request, step), and periodic duties.

The request row and its state machine are the truth; a row of ``tutela_job`` only says
that a step waits. :mod:`tutela.jobs.worker` claims ready steps in batches and runs
them (in-process by default), :mod:`tutela.jobs.periodic` runs the duties due once per
period across every process, and :mod:`tutela.jobs.celery_app` runs both from Celery
workers when ``TUTELA_BROKER_URL`` names a broker. See docs/jobs.md.
"""
