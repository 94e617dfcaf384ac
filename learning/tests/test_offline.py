"""The offline generator on documents made in the test."""

from __future__ import annotations

from learning.generation.drafts import SourceSection
from learning.generation.offline import OfflineProvider
from learning.generation.text import normalize
from uploads.tests import documents


def sections_of(pages: list[str], *, headings: bool = True) -> list[SourceSection]:
    sections: list[SourceSection] = []
    for page, text in enumerate(pages, start=1):
        heading, _newline, body = text.partition("\n")
        if headings:
            sections.append(SourceSection(len(sections), heading, page, heading, 1))
        sections.append(SourceSection(len(sections), body, page, heading if headings else ""))
    return sections


def test_english_definitions_become_basic_cards_and_questions():
    provider = OfflineProvider()
    sections = sections_of(documents.EN_PAGES)
    cards = provider.generate_flashcards(sections, "en", 50)
    basic = {card.front: card.back for card in cards if card.kind == "basic"}
    assert basic["What is a vector?"].startswith("A quantity that has both a magnitude and a direction")
    assert "What is meant by “dot product”?" in basic
    assert all(len(card.back) <= 300 for card in cards)
    questions = provider.generate_questions(sections, "en", 50)
    assert questions
    for question in questions:
        assert len({normalize(o) for o in question.options}) == 4
        answer = question.options[question.correct_index]
        assert sum(normalize(o) == normalize(answer) for o in question.options) == 1


def test_german_documents_get_german_items():
    provider = OfflineProvider()
    sections = sections_of(documents.DE_PAGES)
    cards = provider.generate_flashcards(sections, "de", 50)
    assert {"Was ist eine Warteschlange?", "Was versteht man unter „Ankunftsrate“?"} <= {c.front for c in cards}
    assert all(c.front.startswith("Was ") for c in cards if c.kind == "basic")
    questions = provider.generate_questions(sections, "de", 50)
    assert questions and all(q.stem.startswith(("Welcher Begriff", "Ergänze die Lücke")) for q in questions)


def test_cloze_cards_blank_a_key_term_of_their_sentence():
    cards = OfflineProvider().generate_flashcards(sections_of(documents.EN_PAGES), "en", 50)
    cloze = [card for card in cards if card.kind == "cloze"]
    assert cloze
    for card in cloze:
        assert "{{c1::" + card.back + "}}" in card.front
        assert card.front.replace("{{c1::" + card.back + "}}", card.back) == card.snippet


def test_topics_follow_headings_with_their_pages():
    topics = OfflineProvider().extract_topics(sections_of(documents.EN_PAGES), "en")
    assert [(t.title, t.pages) for t in topics] == [
        ("Vectors and scalars", [1]),
        ("Operations on vectors", [2]),
        ("Coordinate systems", [3]),
    ]
    assert topics[0].summary.startswith("A vector is a quantity")


def test_without_headings_topics_come_from_key_terms():
    long_pages = [page + " " + page.partition("\n")[2] * 4 for page in documents.EN_PAGES * 2]
    topics = OfflineProvider().extract_topics(sections_of(long_pages, headings=False), "en")
    assert 1 < len(topics) <= 8
    assert all(t.title and t.key_terms for t in topics)
    assert topics[0].first_section == 0 and topics[-1].last_section == len(long_pages) - 1


def test_a_document_s_key_terms_are_analysed_once_within_a_run(monkeypatch):
    """The flashcard and question stages ask for the same terms; YAKE runs once for them, and
    nothing is remembered after the run (the next document's run pays for its own)."""
    from learning.generation import text

    calls = []
    real = text._yake_terms
    monkeypatch.setattr(text, "_yake_terms", lambda *args: calls.append(args) or real(*args))
    pages = [page.partition("\n")[2] for page in documents.EN_PAGES]
    with text.key_terms_remembered():
        first = text.key_terms(pages, "en")
        assert text.key_terms(pages, "en") == first and len(calls) == 1
        text.key_terms(pages, "en", top=5)
        assert len(calls) == 2
    assert text.key_terms(pages, "en") == first and len(calls) == 3
    assert "vector" in " ".join(first).lower()


def test_topics_leave_out_title_page_contents_and_bibliography():
    pages = [
        "Vorlesung Warteschlangen\nProf. Dr. Muster\nWintersemester 2026\n"
        "Inhalt . . . . . . . . . . . . 1\nGrundbegriffe . . . . . . . . . . 2",
        *documents.DE_PAGES,
        "Literatur\nKleinrock, L.: Queueing Systems. Wiley, 1975. Gross, D.: Fundamentals of Queueing Theory.",
    ]
    titles = [topic.title for topic in OfflineProvider().extract_topics(sections_of(pages), "de")]
    assert titles == ["Grundbegriffe", "Kenngrößen", "Modelle"]


def test_a_repeated_chapter_heading_makes_no_second_topic():
    pages = [documents.DE_PAGES[0], documents.DE_PAGES[1], documents.DE_PAGES[0].replace("Grundbegriffe", "Kenngrößen")]
    titles = [topic.title for topic in OfflineProvider().extract_topics(sections_of(pages), "de")]
    assert titles == ["Grundbegriffe", "Kenngrößen"]


def test_a_beamer_pdf_without_outline_yields_german_cards_from_its_slides(tmp_path):
    """The deck whose spaces are spans of their own: it once read "WieAttributewählen?", its
    language came out "other" and it got no item at all."""
    from core.language import detect_language
    from learning.quality import flashcards_build
    from uploads.extraction import extract

    path = tmp_path / "slides.pdf"
    path.write_bytes(documents.make_beamer_pdf())
    document = extract(str(path), "pdf", 500)
    sections = [
        SourceSection(order, s.text, s.page, s.heading_path, s.heading_level)
        for order, s in enumerate(document.sections)
    ]
    language = detect_language("\n".join(s.text for s in sections))
    cards, _report = flashcards_build(OfflineProvider(), sections, language, 50)
    assert language == "de"
    assert len(cards) >= 3
    fronts = " ".join(card.front for card in cards)
    assert "{{c1::Informationsgewinn}}" in fronts or "„Entropie“" in fronts
    for card in cards:
        assert card.snippet in sections[card.section_order].text


def test_a_slide_s_term_with_its_dashed_description_becomes_a_definition_card():
    sections = sections_of(
        [
            "Programming\nAlgorithm\n- A set of rules or steps used to solve a problem\n"
            "Compiler – A program that translates source code into machine code before it runs.\n"
            "Slide 3\n- see the next slide for more",
        ]
    )
    cards = OfflineProvider().generate_flashcards(sections, "en", 20)
    basic = {card.front: card.back for card in cards if card.kind == "basic"}
    assert basic["What is meant by “Algorithm”?"] == "A set of rules or steps used to solve a problem."
    assert basic["What is meant by “Compiler”?"].startswith("A program that translates source code")
    assert not any("Slide" in front for front in basic)


def test_examples_a_document_names_for_a_kind_become_a_card_even_inside_an_instruction():
    en = sections_of(
        [
            "Part 5\nRead Section 3 of the e-book to learn about unsupervised learning algorithms such as "
            "clustering and principal component analysis (PCA).\nThe aforementioned concepts such as "
            "vectors and scalars are explained there.",
        ]
    )
    cards = OfflineProvider().generate_flashcards(en, "en", 20)
    basic = {card.front: card.back for card in cards if card.kind == "basic"}
    assert basic == {
        "Give two examples of unsupervised learning algorithms.": "clustering and principal component analysis (PCA)"
    }
    de = sections_of(
        [
            "Verteilungen\nIn der Warteschlangentheorie werden stetige Verteilungen wie die Exponentialverteilung "
            "und die Erlangverteilung für die Bedienzeiten verwendet.",
        ]
    )
    cards = OfflineProvider().generate_flashcards(de, "de", 20)
    basic = {card.front: card.back for card in cards if card.kind == "basic"}
    expected = "die Exponentialverteilung und die Erlangverteilung"
    assert basic["Nenne zwei Beispiele für stetige Verteilungen."] == expected


def test_options_have_the_answer_s_shape_and_a_german_plural_its_case():
    from collections import Counter

    from learning.generation import nlp
    from learning.generation.offline import _distractors
    from learning.generation.statements import Analysis, Term

    def term(text: str, plural: bool, gender: str | None = None) -> Term:
        key = " ".join(normalize(w)[:6] for w in text.split())
        head = nlp.Token(text.split()[-1], text.split()[-1], "NN", 0, 0)
        return Term(text, key, head, len(text.split()), plural, gender, 0)

    analysis = Analysis("de")
    analysis.terms = [
        term(t, True)
        for t in ("Ausdrücke", "Ableitungsbäume", "Automaten", "Sprachen", "Parsern", "Lexern", "Tokens", "Zustände")
    ] + [term("regulären Sprachen", True), term("endlichen Automaten", True), term("formalen Systemen", True)]
    answer = term("kontextfreien Grammatiken", True)
    shared = Counter({"formal": 2, "automat": 1, "wort": 1})  # all used alike in the document
    analysis.contexts = {t.key.split()[-1]: shared for t in [*analysis.terms, answer]}
    # and listed with "Grammatiken" somewhere ("Grammatiken, Automaten und Ausdrücke"): its family
    analysis.listed_with = {"gramma": {t.key.split()[-1] for t in analysis.terms}}
    stem = "Ergänze die Lücke: In der Praxis werden aus _____ Parser erzeugt."
    options = _distractors(analysis, answer, answer.text, stem, 0, "de", True)
    assert sorted(options) == ["endlichen Automaten", "formalen Systemen", "regulären Sprachen"]
    analysis.listed_with, analysis.offered = {}, Counter()
    assert _distractors(analysis, answer, answer.text, stem, 0, "de", True) is None  # used alike is not yet a kind
    analysis.listed_with = {"gramma": {t.key.split()[-1] for t in analysis.terms}}
    single = term("Grammatiken", True)
    options = _distractors(analysis, single, single.text, stem.replace("Parser", "Compiler"), 0, "de", True)
    assert options and all(len(o.split()) == 1 and o.endswith(("n", "s")) for o in options), options


def test_no_term_is_a_distractor_everywhere():
    from collections import Counter

    from learning.generation.offline import MAX_OFFERS

    questions = OfflineProvider().generate_questions(sections_of(documents.EN_PAGES * 3), "en", 50)
    offered = Counter(o for q in questions for i, o in enumerate(q.options) if i != q.correct_index)
    assert questions and max(offered.values()) <= MAX_OFFERS + 3  # + family members, which may repeat


def test_a_common_adjective_stays_in_the_sentence_and_out_of_the_blank():
    pages = [
        "Splitting\nThe standard splitting criterion in decision trees is the information gain of a split. "
        "Rules have a larger hypothesis space than decision trees, so rules overfit more easily. "
        "Decision trees and rule sets are models with a hypothesis space.",
    ]
    cards = OfflineProvider().generate_flashcards(sections_of(pages), "en", 20)
    blanks = [card.back for card in cards if card.kind == "cloze"]
    assert blanks and not any(blank.split()[0] in ("standard", "larger") for blank in blanks)
