"""Recovery of uploads whose message was lost or whose worker died: redelivery and the stuck-upload job."""

from __future__ import annotations

from datetime import timedelta

import dramatiq
import pytest
from django.utils import timezone
from django_dramatiq.models import Task

from accounts.tests.factories import UserFactory
from learning.models import Flashcard
from uploads import services
from uploads.models import Section, Upload
from uploads.tasks import process_document
from uploads.tests import documents
from uploads.tests.conftest import uploaded
from uploads.tests.helpers import run_pipeline

pytestmark = pytest.mark.django_db


def new_upload(data: bytes | None = None) -> Upload:
    upload, _ = services.upload_create(owner=UserFactory(), file=uploaded("a.pdf", data or documents.make_pdf()))
    return upload


def age(upload: Upload, minutes: int, **fields) -> None:
    past = timezone.now() - timedelta(minutes=minutes)
    Upload.objects.filter(pk=upload.pk).update(**{name: past for name in fields.get("at", [])}, **fields.get("set", {}))
    # updated_at is auto_now: set it by a query that names it.
    Upload.objects.filter(pk=upload.pk).update(updated_at=past)


def test_the_same_message_redelivered_after_a_worker_died_resumes_the_extraction(django_capture_on_commit_callbacks):
    upload = new_upload()
    # The dead worker had claimed it with message "m1" and stopped mid-extraction.
    Upload.objects.filter(pk=upload.pk).update(status="extracting", message_id="m1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.upload_process(upload_id=upload.pk, message_id="other")  # a different message: hands off
        assert Upload.objects.get(pk=upload.pk).status == "extracting" and not callbacks
        services.upload_process(upload_id=upload.pk, message_id="m1")  # the redelivery
    upload.refresh_from_db()
    assert upload.status == "generating" and Section.objects.filter(upload=upload).count() == 6
    assert len(callbacks) == 1, "generation is started once"


def test_a_late_second_extraction_starts_nothing_twice(django_capture_on_commit_callbacks):
    upload = new_upload()
    with django_capture_on_commit_callbacks() as callbacks:
        services.upload_process(upload_id=upload.pk, message_id="m1")
        # The broker thought m1's worker dead and gave m1 to another worker, which claims it too late.
        Upload.objects.filter(pk=upload.pk).update(status="extracting")
        Upload.objects.filter(pk=upload.pk).update(status="generating")
        services.upload_process(upload_id=upload.pk, message_id="m1")
    assert len(callbacks) == 1
    assert Section.objects.filter(upload=upload).count() == 6


@pytest.fixture
def no_live_messages():
    Task.tasks.all().delete()
    dramatiq.get_broker().flush_all()


def test_a_stuck_upload_is_sent_again_once_then_failed(settings, no_live_messages):
    upload = new_upload()
    Task.tasks.all().delete()  # the message was lost (say, Redis without persistence)
    age(upload, settings.STUCK_AFTER_MINUTES + 1)
    assert services.uploads_requeue_stuck() == {"requeued": 1, "failed": 0}
    upload.refresh_from_db()
    assert upload.requeues == 1 and upload.status == "queued"
    # Sent again, and lost again.
    Task.tasks.all().delete()
    age(upload, settings.STUCK_AFTER_MINUTES + 1)
    assert services.uploads_requeue_stuck() == {"requeued": 0, "failed": 1}
    upload.refresh_from_db()
    assert (upload.status, upload.error_code) == ("failed", "processing_stuck")
    assert "stalled" in upload.error_message


def test_the_requeue_really_sends_the_message(settings, no_live_messages, django_capture_on_commit_callbacks):
    upload = new_upload()
    Task.tasks.all().delete()
    age(upload, settings.STUCK_AFTER_MINUTES + 1)
    broker = dramatiq.get_broker()
    broker.flush_all()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.uploads_requeue_stuck()
    assert outcome == {"requeued": 1, "failed": 0}
    # The message is in the broker (and in the task table) for the worker to take.
    assert broker.client.llen(f"{broker.namespace}:documents") == 1
    assert Task.tasks.filter(actor_name="process_document", status="enqueued").count() == 1


def test_a_generating_upload_gets_only_its_unfinished_stages_again(
    settings, no_live_messages, django_capture_on_commit_callbacks
):
    upload = run_pipeline(new_upload())
    cards = Flashcard.objects.filter(upload=upload).count()
    Upload.objects.filter(pk=upload.pk).update(
        status="generating", questions_done=False, ready_at=None, generating_at=timezone.now() - timedelta(hours=2)
    )
    Task.tasks.all().delete()
    broker = dramatiq.get_broker()
    broker.flush_all()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_requeue_stuck() == {"requeued": 1, "failed": 0}
    sent = [(task.actor_name, task.message.args) for task in Task.tasks.all()]
    assert sent == [("generate_offline", (upload.pk, upload.run, ["questions"]))]
    from learning.tasks import generate_offline

    generate_offline(*sent[0][1])
    upload.refresh_from_db()
    assert upload.status == "ready" and Flashcard.objects.filter(upload=upload).count() == cards


def test_an_upload_with_a_live_message_is_left_alone(settings, no_live_messages, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = new_upload()  # its message is enqueued: a long backlog, not a lost message
    age(upload, settings.STUCK_AFTER_MINUTES + 1)
    assert Task.tasks.filter(actor_name="process_document", status="enqueued").exists()
    assert services.uploads_requeue_stuck() == {"requeued": 0, "failed": 0}
    process_document(upload.pk)
    assert Upload.objects.get(pk=upload.pk).status == "generating"


def test_uploads_within_their_time_are_not_touched(settings, no_live_messages):
    upload = new_upload()
    Task.tasks.all().delete()
    assert services.uploads_requeue_stuck() == {"requeued": 0, "failed": 0}
    assert Upload.objects.get(pk=upload.pk).requeues == 0
