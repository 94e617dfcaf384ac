"""A student in a real browser (Playwright driving Debian's chromium): log in, open a ready upload, study five
cards with the keyboard, take a quiz, edit a card. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from learning.models import Flashcard, Review

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = (
    Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts")) / "browser"
)
PASSWORD = "correct horse battery staple"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def browser_page(django_db_setup, live_server, monkeypatch):
    """django_db_setup first: session fixtures end in reverse, so the live server closes before the database."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        # The Content-Security-Policy holds on every page: a violation (an inline script or style,
        # a foreign source) shows in the console and fails the test.
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text or "Refused to" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
        yield page
        assert violations == [], violations
        # ORM calls made while Playwright's loop runs got their own connection: close it, or the test
        # database cannot be dropped at the end of the session.
        connections.close_all()
        context.close()
        browser.close()


@pytest.fixture
def ready_upload(transactional_db, media_root):
    from accounts.tests.factories import UserFactory
    from uploads import services
    from uploads.tests import documents
    from uploads.tests.conftest import uploaded
    from uploads.tests.helpers import run_pipeline

    user = UserFactory(password=PASSWORD, email="ada@example.org")
    pdf = documents.make_pdf(documents.EN_PAGES * 2, title="Vector Boot Camp")
    upload, _ = services.upload_create(owner=user, file=uploaded("vectors.pdf", pdf), generator="offline")
    upload = run_pipeline(upload)
    assert upload.status == "ready" and upload.flashcard_count >= 5 and upload.question_count >= 3
    return upload


def shot(page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", "ada@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_a_student_studies_five_cards_takes_a_quiz_and_edits_a_card(browser_page, live_server, ready_upload):
    page, base = browser_page, live_server.url
    log_in(page, base)
    page.click("text=My documents")
    page.click(f"text={ready_upload.title}")
    page.wait_for_selector("text=Study the cards")
    shot(page, "1-document")

    with page.expect_navigation():
        page.click("text=Study the cards")
    for number in range(1, 6):
        front = page.inner_text("[data-testid=front]")
        assert not page.is_visible("[data-testid=back]")
        page.keyboard.press("Space")
        page.wait_for_selector("[data-testid=back]", state="visible")
        assert page.evaluate("document.getElementById('answer').open")
        if number == 1:
            shot(page, "2-answer-shown")
        with page.expect_navigation():
            page.keyboard.press("3")
        assert Review.objects.filter(user=ready_upload.owner).count() == number
        assert page.inner_text("[data-testid=front]") != front or number == 5
    assert Review.objects.filter(rating=3).count() == 5
    shot(page, "3-after-five-cards")

    page.goto(f"{base}/documents/{ready_upload.pk}/")
    page.fill(".quiz-start input[name=size]", "3")
    with page.expect_navigation():
        page.click("text=Take a quiz")
    for _ in range(3):
        page.wait_for_selector("#quiz-form")
        with page.expect_navigation():
            page.keyboard.press("1")
        page.wait_for_selector("[data-testid=feedback]")
        shot(page, "4-quiz-feedback")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    result = page.inner_text("[data-testid=result]")
    assert "of 3 right" in result
    shot(page, "5-quiz-result")

    card = Flashcard.objects.filter(upload=ready_upload).order_by("id").first()
    page.goto(f"{base}/documents/{ready_upload.pk}/")
    page.click(f"#card-{card.pk} summary")
    page.click(f"#card-{card.pk} >> text=Edit")
    page.fill("textarea[name=back]", "My own answer")
    shot(page, "6-edit-card")
    page.click("main form button:has-text('Save')")
    page.wait_for_selector("text=Saved.")
    card.refresh_from_db()
    assert (card.back, card.origin) == ("My own answer", "edited")

    page.click("header a[href='/study/']")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart").first.locator("rect").count() == 30
    shot(page, "8-dashboard")


def test_the_study_page_fits_a_phone(browser_page, live_server, ready_upload):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/study/session/?upload={ready_upload.pk}")
    page.keyboard.press("Space")
    buttons = page.locator("form.ratings button")
    assert buttons.count() == 4
    for index in range(4):
        box = buttons.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # no button off screen
    shot(page, "7-phone-session")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_upload_page_works_under_the_content_security_policy(browser_page, live_server, ready_upload):
    """Its drop zone is a static script now (it was inline, which the policy forbids)."""
    page = browser_page
    log_in(page, live_server.url)
    response = page.goto(f"{live_server.url}/documents/new/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.dispatch_event("#upload-form", "dragenter")
    assert "dragging" in page.get_attribute("#upload-form", "class")
    page.dispatch_event("#upload-form", "dragleave")
    assert "dragging" not in (page.get_attribute("#upload-form", "class") or "")
    for path in ("/admin/login/", "/study/", f"/documents/{ready_upload.pk}/", "/accounts/profile/"):
        page.goto(f"{live_server.url}{path}")  # the fixture fails on any violation these pages log
