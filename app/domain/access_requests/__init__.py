"""Subject access requests (SPEC §8): register, hold, review, fulfil, link, close.

`lifecycle` takes a request from registration (holding every matching call) to closing;
`review` is the officer's review list and redactions; `packages` is fulfilment, the packaging
job's bookkeeping and the download links. The rules (due dates, extensions, NHS numbers) live
in `recordings.subject_access`, the package's texts in `recordings.access_package`. Every
function works in the caller's transaction and audits its step.
"""

from app.domain.access_requests._shared import (
    BUSY_STATES,
    AccessRequestConflict,
    AccessRequestError,
    AccessRequestInvalid,
)
from app.domain.access_requests.lifecycle import (
    NewAccessRequest,
    active_hold_ids,
    close,
    extend,
    matching_calls_query,
    record_authority,
    register,
    request_flag,
    verify_identity,
)
from app.domain.access_requests.packages import (
    PACKAGE_JOB,
    PACKAGE_PREFIX,
    LinkLookup,
    current_package,
    delete_objects,
    issue_link,
    job_package_key,
    package_for_token,
    package_key,
    record_download,
    revoke_link,
    shred_package,
    start_fulfilment,
    token_digest,
)
from app.domain.access_requests.review import (
    ListedRecording,
    Redaction,
    fulfilment_blocker,
    listed_count,
    listed_recordings,
    review_recording,
)

__all__ = [
    "BUSY_STATES",
    "PACKAGE_JOB",
    "PACKAGE_PREFIX",
    "AccessRequestConflict",
    "AccessRequestError",
    "AccessRequestInvalid",
    "LinkLookup",
    "ListedRecording",
    "NewAccessRequest",
    "Redaction",
    "active_hold_ids",
    "close",
    "current_package",
    "delete_objects",
    "extend",
    "fulfilment_blocker",
    "issue_link",
    "job_package_key",
    "listed_count",
    "listed_recordings",
    "matching_calls_query",
    "package_for_token",
    "package_key",
    "record_authority",
    "record_download",
    "register",
    "request_flag",
    "review_recording",
    "revoke_link",
    "shred_package",
    "start_fulfilment",
    "token_digest",
    "verify_identity",
]
