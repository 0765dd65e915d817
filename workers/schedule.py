"""Periodic jobs, registered for `rq cron workers.schedule` (the Procfile's cron process)."""

from rq import cron

from workers.access import reconcile_access_packages
from workers.audit import anchor_audit_chain
from workers.ingest import reconcile_recordings
from workers.retention import run_retention
from workers.routing import release_stale_claims
from workers.storage import remove_abandoned_plaintext, remove_abandoned_writes

# Recordings stuck between states: re-enqueue them (SPEC §6).
cron.register(reconcile_recordings, queue_name="default", interval=300)

# Retention (SPEC §7): hourly; a long run may overlap the next one, which is safe (SKIP LOCKED).
cron.register(run_retention, queue_name="default", cron="17 * * * *", job_timeout=3600)

# Routing claims left half-done (a dead process, a lost connect job): the caller waits again,
# the advisor is freed.
cron.register(release_stale_claims, queue_name="default", interval=60)

# Access-request packaging jobs lost by the queue or killed with their worker (SPEC §8).
cron.register(reconcile_access_packages, queue_name="default", interval=300)

# Unfinished uploads a killed worker left in the store (its parts are kept, unseen, by S3).
cron.register(remove_abandoned_writes, queue_name="default", cron="41 3 * * *")

# Decrypted audio and unencrypted ZIPs a killed packaging job left in its private directory.
cron.register(remove_abandoned_plaintext, queue_name="default", cron="43 3 * * *")

# The audit chain's head, signed into the store (outside the database) for `audit verify`.
cron.register(anchor_audit_chain, queue_name="default", interval=600)
