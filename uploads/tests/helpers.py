from __future__ import annotations

from uploads.models import Upload


def run_pipeline(upload: Upload) -> Upload:
    """What the worker does, in this process: the actors called directly run synchronously."""
    from learning.tasks import extract_topics, generate_flashcards, generate_questions
    from uploads.tasks import process_document

    process_document(upload.pk)
    upload.refresh_from_db()
    for actor in (generate_flashcards, generate_questions, extract_topics):
        actor(upload.pk, upload.run)
    upload.refresh_from_db()
    return upload
