"""make eval's defect columns measure apart from the gates, so they can see what slipped through."""

from __future__ import annotations

from learning.defects import measure
from learning.generation.drafts import FlashcardDraft, QuestionDraft
from learning.graded_sample import useful_rates


def card(front: str, back: str) -> FlashcardDraft:
    return FlashcardDraft("cloze", front, back, 0, front)


def test_it_counts_generic_label_and_visible_blanks_and_dangling_starts():
    defects = measure(
        [
            card("Vektoren sind eine {{c1::Reihe}} von Skalaren gleichen Typs.", "Reihe"),
            card("{{c1::Satz}}: Eine von einem DPDA akzeptierte Sprache hat eine eindeutige Grammatik.", "Satz"),
            card("Diese {{c1::Grammatik}} heißt mehrdeutig, weil die Grammatik zwei Bäume erlaubt.", "Grammatik"),
            card("Die {{c1::Exponentialverteilung}} ist gedächtnislos.", "Exponentialverteilung"),
        ],
        [],
        "de",
    ).shares()
    assert defects["blank_generic"] == 0.5  # Reihe, and Satz (a label and a common word)
    assert defects["blank_label"] == 0.25
    assert defects["blank_visible"] == 0.25
    assert defects["dangling_start"] == 0.25


def test_it_counts_questions_with_a_distractor_of_the_wrong_kind():
    fair = QuestionDraft(
        "Fill in the blank: If _____ are not pruned, they overfit the training data.",
        ["decision trees", "children nodes", "impurity metrics", "split criteria"],
        0,
        "",
        0,
        "",
    )
    unfair = QuestionDraft(
        "Fill in the blank: A list element can be any _____ object.",
        ["Python", "Joseph", "friends", "Lists"],
        0,
        "",
        0,
        "",
    )
    assert measure([], [fair], "en").shares()["bad_distractor"] == 0.0
    assert measure([], [fair, unfair], "en").shares()["bad_distractor"] == 0.5


def test_the_useful_rate_is_per_language_and_kind():
    grades = {
        "items": [
            {"language": "de", "type": "card", "useful": True},
            {"language": "de", "type": "card", "useful": False},
            {"language": "en", "type": "question", "useful": True},
        ]
    }
    rates = useful_rates(grades)
    assert rates["de"]["card"] == (1, 2)
    assert rates["en"]["question"] == (1, 1)
    assert rates["all"]["card"] == (1, 2)


def test_the_graded_sample_is_reproducible_and_carries_each_items_page():
    from learning.generation.drafts import SourceSection
    from learning.graded_sample import sample_items

    sections = [SourceSection(0, "Ein Vektor ist eine Reihe von Skalaren gleichen Typs.", 3)]
    cards = [card(f"Satz {n} mit {{{{c1::Wort}}}}.", "Wort") for n in range(30)]
    first = sample_items("doc.pdf", "de", sections, cards, [], seed=16)
    assert first == sample_items("doc.pdf", "de", sections, cards, [], seed=16)
    assert first != sample_items("doc.pdf", "de", sections, cards, [], seed=17)
    assert len(first) == 15
    assert {item["cited"] for item in first} == {"p. 3"}
    assert first[0]["page_text"].startswith("Ein Vektor")
