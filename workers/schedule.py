"""Periodic jobs, registered for `rq cron workers.schedule` (the Procfile's cron process)."""

from rq import cron  # noqa: F401  (registrations are added by the issues that need them)
