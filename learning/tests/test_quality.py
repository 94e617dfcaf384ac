"""The quality gates on crafted drafts: what a student would catch in a bad deck."""

from __future__ import annotations

from collections import Counter

from learning.generation.drafts import FlashcardDraft, QuestionDraft, SourceSection
from learning.generation.offline import OfflineProvider
from learning.quality import MAX_ANSWER_CHARS, flashcards_build, questions_build

PAGE_1 = (
    "A vector is a quantity that has both a magnitude and a direction. "
    "The dot product of two vectors is a scalar equal to the product of their lengths and the cosine of the angle."
)
PAGE_2 = (
    "The cross product of two vectors is a vector perpendicular to both of them. "
    "Its length equals the area of the parallelogram spanned by the two vectors. "
    "Its direction follows the right-hand rule, so swapping the two vectors reverses it."
)
DE_PAGE = (
    "Eine Warteschlange ist ein System, in dem Kunden auf die Bedienung durch einen Schalter warten. "
    "Die Ankunftsrate gibt an, wie viele Kunden im Mittel pro Zeiteinheit ankommen. "
    "Im Original heißt es: Little's law states that the number of customers in the system "
    "equals the arrival rate times the time a customer spends in the system."
)
SECTIONS = [SourceSection(0, PAGE_1, page=1), SourceSection(1, PAGE_2, page=2)]


class ScriptedProvider:
    """Returns the drafts it is given, and remembers which sections each call was about."""

    name = "scripted"

    def __init__(self, cards=(), questions=(), later_cards=(), later_questions=()):
        self.cards, self.questions = [list(cards), list(later_cards)], [list(questions), list(later_questions)]
        self.calls: list[list[int]] = []

    def generate_flashcards(self, sections, language, limit):
        self.calls.append([s.order for s in sections])
        return self.cards.pop(0) if self.cards else []

    def generate_questions(self, sections, language, limit):
        self.calls.append([s.order for s in sections])
        return self.questions.pop(0) if self.questions else []


def card(front, back, order, snippet, kind="basic"):
    return FlashcardDraft(kind, front, back, order, snippet)


def question(stem, options, correct, order, snippet):
    return QuestionDraft(stem, options, correct, "", order, snippet)


def test_it_drops_a_card_whose_answer_is_not_in_the_document():
    hallucinated = card(
        "What is a tensor?", "A multilinear map between vector spaces.", 0, "A tensor is a multilinear map."
    )
    wrong_answer = card(
        "What is a vector?", "A list of numbers stored in a computer.", 0, "A vector is a quantity that has both"
    )
    good = card(
        "What is a vector?", "A quantity that has both a magnitude and a direction.", 0, "A vector is a quantity"
    )
    kept, report = flashcards_build(
        ScriptedProvider([hallucinated, wrong_answer, good]), SECTIONS, "en", 10, fallback=None
    )
    assert [c.front for c in kept] == ["What is a vector?"]
    assert kept[0].back.startswith("A quantity")
    assert report.dropped == Counter({"snippet not in the document": 1, "answer not on the cited page": 1})


def test_a_card_citing_the_wrong_page_is_cited_again_with_the_verbatim_text():
    miscited = card(
        "What is the cross product of two vectors?",
        "A vector perpendicular to both of them.",
        0,  # says page 1; the text is on page 2
        "the cross product of two vectors is a vector perpendicular to both",
    )
    kept, report = flashcards_build(ScriptedProvider([miscited]), SECTIONS, "en", 10, fallback=None)
    assert len(kept) == 1
    assert kept[0].section_order == 1
    assert kept[0].snippet in PAGE_2  # the document's own casing, not the draft's
    assert report.recited == 1


def test_near_duplicates_are_removed_also_against_the_students_own_cards():
    drafts = [
        card("What is a vector?", "A quantity that has both a magnitude and a direction.", 0, "A vector is a quantity"),
        card("what is a  VECTOR", "A quantity that has both a magnitude and a direction", 0, "A vector is a quantity"),
        card(
            "What is the dot product?", "A scalar equal to the product of their lengths.", 0, "The dot product of two"
        ),
    ]
    kept, report = flashcards_build(ScriptedProvider(drafts), SECTIONS, "en", 10, fallback=None)
    assert [c.front for c in kept] == ["What is a vector?", "What is the dot product?"]
    assert report.dropped["duplicate"] == 1

    students_card = [("basic", "What is the dot product ?", "my own words")]
    kept, _report = flashcards_build(ScriptedProvider(drafts[2:]), SECTIONS, "en", 10, students_card, fallback=None)
    assert kept == []


def test_an_over_long_answer_becomes_atomic_cards():
    sentences = [
        "A vector is a quantity that has both a magnitude and a direction.",
        "The dot product of two vectors is a scalar equal to the product of their lengths and the cosine of the angle.",
        "The cross product of two vectors is a vector perpendicular to both of them.",
        "Its length equals the area of the parallelogram spanned by the two vectors.",
    ]
    text = " ".join(sentences)
    assert len(text) > MAX_ANSWER_CHARS
    sections = [SourceSection(0, text, page=1)]
    long_card = card("What does the chapter say about vectors?", text, 0, sentences[0])
    kept, report = flashcards_build(ScriptedProvider([long_card]), sections, "en", 10, fallback=None)
    assert len(kept) == 2
    assert all(len(c.back) <= MAX_ANSWER_CHARS for c in kept)
    assert [c.front[-5:] for c in kept] == ["(1/2)", "(2/2)"]
    assert " ".join(c.back for c in kept) == text  # nothing lost, cut between sentences
    assert report.split == 1


def test_a_german_document_never_gets_english_cards():
    sections = [SourceSection(0, DE_PAGE, page=1)]
    english = card(
        "What does Little's law state?",
        "The number of customers in the system equals the arrival rate times the time a customer spends in it.",
        0,
        "Little's law states that the number of customers in the system",
    )
    german = card(
        "Was ist eine Warteschlange?",
        "Ein System, in dem Kunden auf die Bedienung durch einen Schalter warten.",
        0,
        "Eine Warteschlange ist ein System",
    )
    kept, report = flashcards_build(ScriptedProvider([english, german]), sections, "de", 10, fallback=None)
    assert [c.front for c in kept] == ["Was ist eine Warteschlange?"]
    assert report.dropped == Counter({"wrong language": 1})


def test_unfair_questions_are_dropped_and_the_right_answer_moves_around():
    snippet = "A vector is a quantity that has both a magnitude and a direction"
    stem = "What has both a magnitude and a direction?"
    two_answers = question(stem, ["vector", "Vector", "scalar", "matrix"], 0, 0, snippet)
    odd_length = question(
        stem, ["vector", "a very long option that gives itself away by length", "b", "c"], 0, 0, snippet
    )
    stems = [
        "What has both a magnitude and a direction?",
        "Which quantity points somewhere and has a size?",
        "Name the object whose dot product with another gives a number.",
        "Forces and velocities are examples of what?",
        "What do arrows in physics drawings usually stand for?",
        "Which kind of quantity needs a direction to be complete?",
        "A displacement of three metres north is called a what?",
        "Which term from page one describes magnitude together with direction?",
    ]
    fair = [question(text, ["vector", "scalar", "matrix", "tensor"], 0, 0, snippet) for text in stems]
    kept, report = questions_build(
        ScriptedProvider(questions=[two_answers, odd_length, *fair]), SECTIONS, "en", 20, fallback=None
    )
    assert len(kept) == 8
    assert report.dropped["unfair options (duplicate options)"] == 1
    assert report.dropped["unfair options (length)"] == 1
    assert all(q.options[q.correct_index] == "vector" for q in kept)
    assert Counter(q.correct_index for q in kept) == Counter({0: 2, 1: 2, 2: 2, 3: 2})


def test_a_section_nothing_covers_is_asked_for_again():
    only_page_1 = card("What is a vector?", "A quantity that has both a magnitude and a direction.", 0, "A vector is a")
    page_2 = card("What is the cross product?", "A vector perpendicular to both of them.", 1, "The cross product of")
    provider = ScriptedProvider([only_page_1], later_cards=[page_2])
    kept, _report = flashcards_build(provider, SECTIONS, "en", 10, fallback=None)
    assert provider.calls == [[0, 1], [1]]
    assert {c.section_order for c in kept} == {0, 1}


def test_the_offline_generator_passes_its_own_gates_on_a_german_script():
    from uploads.tests import documents

    sections = [SourceSection(i, text, page=i + 1) for i, text in enumerate(documents.DE_PAGES)]
    cards, card_report = flashcards_build(OfflineProvider(), sections, "de", 50)
    questions, _report = questions_build(OfflineProvider(), sections, "de", 50)
    assert cards and questions
    assert all(c.front.startswith(("Was ", "{{c1::")) or "{{c1::" in c.front for c in cards)
    assert card_report.dropped["wrong language"] == 0
