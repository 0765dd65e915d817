"""Periodic jobs, registered for `rq cron workers.schedule` (the Procfile's cron process)."""

from rq import cron

from workers.retention import run_retention

# Retention (SPEC §7): hourly; a long run may overlap the next one, which is safe (SKIP LOCKED).
cron.register(run_retention, queue_name="default", cron="17 * * * *", job_timeout=3600)
