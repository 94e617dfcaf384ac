from __future__ import annotations

from uploads.models import Upload


def run_pipeline(upload: Upload) -> Upload:
    """What the worker does, in this process: the actors called directly run synchronously
    (the messages learning.tasks.start_generation sends for the upload's generator)."""
    from learning.tasks import STAGE_ACTORS, generate_offline
    from uploads.tasks import process_document

    process_document(upload.pk)
    upload.refresh_from_db()
    if upload.generator == "openai":
        for actor in STAGE_ACTORS.values():
            actor(upload.pk, upload.run)
    else:
        generate_offline(upload.pk, upload.run, list(STAGE_ACTORS))
    upload.refresh_from_db()
    return upload
