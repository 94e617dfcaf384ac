"""The OpenAI provider through the real SDK against a local fake server: chunking, cache, budget, failures."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learning.checks import SourceIndex, is_grounded
from learning.generation.chunking import chunk_sections, estimate_tokens
from learning.generation.drafts import SourceSection
from learning.generation.openai import OpenAIProvider, TransientAIError
from learning.models import AIUsage, Flashcard
from learning.tasks import generate_flashcards
from uploads import services
from uploads.models import Upload
from uploads.tests import documents
from uploads.tests.helpers import run_pipeline

WORDS = (
    "gradient divergence integral manifold eigenvalue polynomial derivative tangent surface boundary "
    "operator spectrum kernel lattice quotient isomorphism morphism category functor topology"
).split()


def long_sections(pages: int) -> list[SourceSection]:
    """A script of `pages` pages, each with its own vocabulary so that no two sentences repeat."""
    sections = []
    for page in range(1, pages + 1):
        a, b, c = (WORDS[(page * k) % len(WORDS)] for k in (1, 3, 7))
        text = (
            f"Chapter {page} explains how the {a} relates to every {b} of section {page}. "
            f"In lecture {page} the {c} is introduced together with the {a} and its properties. "
            f"The exercises of week {page} combine the {b} with the {c} in several examples."
        )
        sections.append(SourceSection(page - 1, text, page=page))
    return sections


def upload_pdf(user, pages: list[str], generator: str = "auto") -> Upload:
    file = SimpleUploadedFile("script.pdf", documents.make_pdf(pages), content_type="application/pdf")
    upload, _created = services.upload_create(owner=user, file=file, generator=generator)
    return upload


def test_tokens_are_estimated_without_downloading_anything():
    english = "A vector is a quantity that has both a magnitude and a direction."
    assert 13 <= estimate_tokens(english) <= 20  # OpenAI's tokenizer: 15
    assert estimate_tokens("x = (a + b) * c / d") >= 8  # symbols count as tokens


def test_a_long_document_is_chunked_and_every_chunk_is_requested(fake_openai, settings):
    settings.OPENAI_CHUNK_TOKENS = 300
    sections = long_sections(60)
    chunks = chunk_sections(sections, 300)
    assert len(chunks) >= 8
    assert all(chunk.tokens <= 300 for chunk in chunks)
    assert sorted(o for chunk in chunks for o in chunk.section_orders) == [s.order for s in sections]

    provider = OpenAIProvider()
    cards = provider.generate_flashcards(sections, "en", 150)
    assert fake_openai.count("CardBatch") == len(chunks)
    chunk_of = {order: chunk.index for chunk in chunks for order in chunk.section_orders}
    assert {chunk_of[card.section_order] for card in cards} == {chunk.index for chunk in chunks}  # end to end
    assert provider.usage.requests == len(chunks) and provider.usage.tokens_in > 0


@pytest.mark.django_db
def test_an_upload_with_ai_gets_grounded_material_and_a_repeat_costs_nothing(fake_openai, user, media_root):
    from accounts.tests.factories import UserFactory

    upload = run_pipeline(upload_pdf(user, documents.EN_PAGES))
    assert upload.status == Upload.Status.READY, upload.error_detail
    assert upload.generator == "openai"
    cards = list(Flashcard.objects.filter(upload=upload))
    assert len(cards) >= 3
    assert {"basic", "cloze"} == {card.kind for card in cards}
    sections = [SourceSection(s.order, s.text, s.page, s.heading_path, s.heading_level) for s in upload.sections.all()]
    index = SourceIndex(sections)
    for card in cards:
        assert is_grounded(index, card.source_section.order, card.source_snippet, card.back, "en"), card.front
    assert upload.topic_count >= 1 and upload.question_count >= 1
    calls = fake_openai.count()
    assert upload.ai_requests == calls > 0
    assert upload.ai_tokens_in > 0 and upload.ai_tokens_out > 0
    assert sum(u.tokens_in + u.tokens_out for u in AIUsage.objects.filter(user=user)) == (
        upload.ai_tokens_in + upload.ai_tokens_out
    )

    services.upload_reprocess(upload=upload)
    upload = run_pipeline(upload)
    assert upload.status == Upload.Status.READY
    assert fake_openai.count() == calls  # reprocessing: every answer from the cache
    assert Flashcard.objects.filter(upload=upload).count() == len(cards)
    assert upload.ai_cached_answers > 0

    other = run_pipeline(upload_pdf(UserFactory(), documents.EN_PAGES))
    assert other.status == Upload.Status.READY
    assert fake_openai.count() == calls  # the same document from someone else: no call either


@pytest.mark.django_db
def test_a_german_script_gets_german_material_from_the_ai(fake_openai, user, media_root):
    upload = run_pipeline(upload_pdf(user, documents.DE_PAGES))
    assert upload.status == Upload.Status.READY and upload.language == "de"
    assert all("German" in request.system for request in fake_openai.requests)
    fronts = list(Flashcard.objects.filter(upload=upload, kind="basic").values_list("front", flat=True))
    assert fronts and all(front.startswith("Was ") for front in fronts)  # the AI's, and the offline generator's


@pytest.mark.django_db
def test_a_spent_monthly_budget_refuses_ai_and_falls_back_to_offline(
    fake_openai, settings, auth_client, user, media_root
):
    settings.OPENAI_MONTHLY_TOKEN_BUDGET = 1000
    AIUsage.objects.create(user=user, task="flashcards", model="gpt-4o-mini", tokens_in=900, tokens_out=100)

    pdf = documents.make_pdf(documents.EN_PAGES)
    response = auth_client.post(
        "/api/v1/uploads/", {"file": SimpleUploadedFile("a.pdf", pdf), "generator": "ai"}, format="multipart"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ai_budget_spent"
    assert "allowance is used up" in response.json()["error"]["message"]
    assert not Upload.objects.exists()
    assert not list(media_root.rglob("*.pdf"))

    response = auth_client.post("/api/v1/uploads/", {"file": SimpleUploadedFile("a.pdf", pdf)}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert body["generator"] == "offline"
    assert "offline generator made this material" in body["generator_message"]
    upload = run_pipeline(Upload.objects.get(pk=body["id"]))
    assert upload.status == Upload.Status.READY and upload.flashcard_count > 0
    assert fake_openai.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("api_key", "fault", "code"),
    [("sk-wrong", "", "ai_auth"), (None, "quota", "ai_quota"), (None, "bad_request", "ai_rejected")],
)
def test_a_permanent_api_error_fails_the_upload_at_once(fake_openai, settings, user, media_root, api_key, fault, code):
    if api_key:
        settings.OPENAI_API_KEY = api_key
    if fault:
        fake_openai.poison[""] = fault
    upload = run_pipeline(upload_pdf(user, documents.EN_PAGES))
    assert upload.status == Upload.Status.FAILED
    assert upload.error_code == code
    assert "offline generator" in upload.error_message
    assert fake_openai.count() <= 3  # no retries: one request per stage at most


@pytest.mark.django_db
def test_transient_errors_are_retried_but_never_past_the_request_cap(fake_openai, settings, user, media_root):
    settings.OPENAI_MAX_REQUESTS_PER_CHUNK = 4  # the SDK makes 2 tries per actor attempt (OPENAI_MAX_RETRIES=1)
    upload = upload_pdf(user, documents.EN_PAGES[:1])
    from uploads.tasks import process_document

    process_document(upload.pk)
    upload.refresh_from_db()
    fake_openai.poison[""] = "500"
    for _attempt in range(2):  # what Dramatiq's retries do
        with pytest.raises(TransientAIError):
            generate_flashcards(upload.pk, upload.run)
    assert fake_openai.count("CardBatch") == 4
    generate_flashcards(upload.pk, upload.run)  # the third attempt sends nothing: the chunk is given up
    assert fake_openai.count("CardBatch") == 4
    upload.refresh_from_db()
    assert upload.status == Upload.Status.FAILED and upload.error_code == "ai_unavailable"


@pytest.mark.parametrize("fault", ["429", "500", "timeout"])
def test_a_passing_fault_is_retried_by_the_sdk(fake_openai, fault):
    fake_openai.faults.append(fault)
    provider = OpenAIProvider()
    cards = provider.generate_flashcards(long_sections(2), "en", 10)
    assert cards
    assert fake_openai.count() == 2
    assert provider.usage.requests == 2


@pytest.mark.parametrize("fault", ["invalid_json", "invalid_output", "refusal"])
def test_an_invalid_answer_is_asked_for_once_more(fake_openai, fault):
    fake_openai.faults.append(fault)
    provider = OpenAIProvider()
    cards = provider.generate_flashcards(long_sections(2), "en", 10)
    assert cards and not provider.usage.failed_chunks
    assert fake_openai.count() == 2


@pytest.mark.django_db
def test_a_chunk_that_stays_invalid_is_reported_and_the_others_are_kept(fake_openai, settings, user, media_root):
    settings.OPENAI_CHUNK_TOKENS = 120  # one page per chunk
    fake_openai.poison["Polar coordinates describe"] = "invalid_output"
    upload = run_pipeline(upload_pdf(user, documents.EN_PAGES))
    assert upload.status == Upload.Status.READY
    cards = Flashcard.objects.filter(upload=upload)
    assert {card.source_page for card in cards} == {1, 2, 3}
    page_3 = [card.front for card in cards if card.source_page == 3]
    assert page_3 and not any("What does the text say" in front for front in page_3)  # the offline generator's
    poisoned = [r.schema for r in fake_openai.requests if "Polar coordinates describe" in r.text]
    # Asked twice each time: by the three stages, and once more by the coverage top-up of cards and questions.
    assert sorted(poisoned) == sorted(["CardBatch"] * 4 + ["QuestionBatch"] * 4 + ["ChunkOutline"] * 2)
    assert upload.chunks_failed == 5
    assert "could not be turned into study material" in upload.warning_message


def test_a_bad_key_stops_the_queued_chunks_of_a_long_document(fake_openai, settings):
    from core.errors import PermanentError

    settings.OPENAI_API_KEY = "sk-revoked"
    settings.OPENAI_CHUNK_TOKENS = 300
    settings.OPENAI_CONCURRENCY = 1
    sections = long_sections(60)
    with pytest.raises(PermanentError) as raised:
        OpenAIProvider().generate_flashcards(sections, "en", 150)
    assert raised.value.code == "ai_auth"
    assert fake_openai.count() == 1 < len(chunk_sections(sections, 300))


@pytest.mark.django_db
def test_staff_see_what_the_ai_cost_per_upload_and_per_stage(fake_openai, client, user, media_root):
    from accounts.tests.factories import UserFactory

    upload = run_pipeline(upload_pdf(user, documents.EN_PAGES))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = client.get("/admin/uploads/upload/").content.decode()
    assert "AI tokens in" in changelist and str(upload.ai_tokens_in) in changelist
    usage = client.get("/admin/learning/aiusage/").content.decode()
    assert {"flashcards", "questions", "topics"} <= {u.task for u in AIUsage.objects.filter(upload=upload)}
    assert "gpt-4o-mini" in usage and user.email in usage
