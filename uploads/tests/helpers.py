from __future__ import annotations

import dramatiq

from uploads.models import Upload
from uploads.services.processing import GENERATION_STAGES, OFFLINE_ACTOR_NAME, STAGE_ACTOR_NAMES


def run_pipeline(upload: Upload) -> Upload:
    """What the worker does, in this process: the actors called directly run synchronously
    (the messages uploads.services.processing.generation_send sends for the upload's generator)."""
    broker = dramatiq.get_broker()
    broker.get_actor("process_document")(upload.pk)
    upload.refresh_from_db()
    if upload.generator == "openai":
        for name in STAGE_ACTOR_NAMES.values():
            broker.get_actor(name)(upload.pk, upload.run)
    else:
        broker.get_actor(OFFLINE_ACTOR_NAME)(upload.pk, upload.run, list(GENERATION_STAGES))
    upload.refresh_from_db()
    return upload
