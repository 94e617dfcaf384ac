"""The rubric's rules (../shared/QUALITY.md), each with a German and an English sentence that it
rejects and one that it keeps. These rules judge every provider's items in the quality gates."""

from __future__ import annotations

import pytest

from learning.generation.drafts import SourceSection
from learning.rubric import DocumentTerms, card_problem, question_problem, statement_problem, strip_label


def terms_of(language: str, *texts: str) -> DocumentTerms:
    return DocumentTerms.of([SourceSection(n, text) for n, text in enumerate(texts)], language)


@pytest.mark.parametrize(
    ("language", "sentence", "reason"),
    [
        ("de", "Diese und das Eingabezeichen bestimmen den Folgezustand des Automaten.", "dangling start"),
        ("en", "This means that sorting the values helps with finding a threshold.", "dangling start"),
        ("de", "Sei X eine Zufallsvariable mit stetiger Verteilung.", "premise or instruction"),
        ("en", "Let the tree grow until every leaf node is pure.", "premise or instruction"),
        ("de", "Klicken Sie auf den grünen Knopf oben im Fenster.", "premise or instruction"),
        ("en", "Explain the difference based on the above definitions.", "premise or instruction"),
        ("de", "Was ist ein Kellerautomat und wie arbeitet er?", "question"),
        ("en", "What is a criterion to measure the goodness of the split?", "question"),
        ("de", "Natürlich lassen sich auch Spalten auswählen, hier die erste:", "fragment"),
        ("en", "The information gain is then computed as follows:", "fragment"),
        ("de", "In diesem Kapitel behandeln wir die Grundlagen der Warteschlangen.", "refers to context"),
        ("en", "We will now look at the entropy of a binary split in detail.", "refers to context"),
        ("en", "If the angle between #»aand #»bis 90∘, the vectors are orthogonal.", "maths or code"),
        ("de", "Die Wartezeit W ist für ρ < 1 exponentialverteilt.", "maths or code"),
        ("de", "WieAttributewählen ist die zentrale Frage beim Aufbau eines Baumes.", "glued words"),
        ("en", "This section briefly summarizes the concept of entropy11 as coined by Shannon.", "dangling start"),
        ("en", "Clarity is important in science and in everyday life.", "opinion"),
        ("de", "Zugegebenermaßen ist der Einstieg schwer, aber der Mehraufwand lohnt sich.", "dangling start"),
        ("de", "Der Einstieg ist nicht leicht, aber der Mehraufwand lohnt sich.", "opinion"),
        ("en", "The two arrows have the same direction and the same magnitude.", "refers to a figure"),
        ("de", "Die Abbildung zeigt einen Kellerautomaten mit drei Zuständen.", "refers to a figure"),
        ("en", "A List is a Kind of Collection.", "heading"),
        ("de", "Haben, als eine eigene Warteschlange für jede Klasse.", "fragment"),
        ("de", "Die stationäre Verteilung von Ut entspricht der Verteilung der Wartezeit.", "maths or code"),
        ("en", "ABCD is a parallelogram with equal opposite sides.", "maths or code"),
    ],
)
def test_it_rejects_a_sentence_that_cannot_stand_alone(language, sentence, reason):
    assert statement_problem(sentence, language) == reason


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("de", "Die kontextfreien Sprachen und die Sprachen der PDAs sind dieselbe Sprachklasse."),
        ("de", "Es gibt kontextfreie Sprachen, für die keine eindeutige Grammatik existiert."),
        ("de", "PDAs akzeptieren kontextfreie Sprachen."),
        ("en", "If decision trees are not pruned, they have a high risk to overfit the training data."),
        ("en", "Gini impurity is computationally more efficient to compute than entropy."),
    ],
)
def test_it_keeps_a_complete_self_contained_statement(language, sentence):
    assert statement_problem(sentence, language) is None


def test_a_label_is_stripped_and_the_statement_kept():
    assert strip_label("Satz: Eine von einem DPDA akzeptierte Sprache hat eine eindeutige Grammatik.") == (
        "Eine von einem DPDA akzeptierte Sprache hat eine eindeutige Grammatik."
    )
    assert strip_label("Note that decision trees are prone to overfitting.") == (
        "decision trees are prone to overfitting."
    )


GERMAN_TEXT = (
    "Vektoren sind eine Reihe von Skalaren gleichen Typs. Ein Skalar ist ein einzelner Wert. "
    "Skalare und Vektoren sind Objekte in R. Eine kontextfreie Grammatik erzeugt eine Sprache."
)
ENGLISH_TEXT = (
    "It is difficult to describe general directions by words. A scalar has no direction. "
    "Scalars and vectors are quantities. A vector has a magnitude and a direction."
)


@pytest.mark.parametrize(
    ("language", "front", "reason"),
    [
        ("de", "Vektoren sind eine {{c1::Reihe}} von Skalaren gleichen Typs.", "generic"),
        ("de", "Vektoren sind {{c1::Satz}} von Skalaren gleichen Typs.", "label"),
        (
            "de",
            "Eine kontextfreie {{c1::Grammatik}} erzeugt eine Sprache, so heißt die Grammatik mehrdeutig.",
            "visible elsewhere",
        ),
        ("en", "It is difficult to {{c1::describe}} general directions by words.", "dangling start"),
        ("en", "Vectors are hard to {{c1::describe}} by words alone.", "not a noun"),
        ("en", "A vector has a magnitude and a {{c1::direction}} in space.", "generic"),
    ],
)
def test_it_rejects_a_poor_blank(language, front, reason):
    terms = terms_of(language, GERMAN_TEXT if language == "de" else ENGLISH_TEXT)
    assert card_problem("cloze", front, "x", language, terms) == reason


@pytest.mark.parametrize(
    ("language", "front"),
    [
        ("de", "Vektoren sind eine Reihe von {{c1::Skalaren}} gleichen Typs."),
        ("de", "Die {{c1::kontextfreien Sprachen}} und die Sprachen der PDAs sind dieselbe Sprachklasse."),
        ("en", "A vector has a {{c1::magnitude}} and a direction."),
    ],
)
def test_it_keeps_a_blank_on_a_domain_term(language, front):
    terms = terms_of(language, GERMAN_TEXT if language == "de" else ENGLISH_TEXT, front)
    assert card_problem("cloze", front, "x", language, terms) is None


@pytest.mark.parametrize(
    ("language", "stem", "options", "reason"),
    [
        (
            "en",
            "Fill in the blank: A list element can be any _____ object.",
            ["Python", "Joseph", "friends", "Lists"],
            "person name",
        ),
        (
            "de",
            "Ergänze die Lücke: Ein PDA legt ein _____ auf den Keller.",
            ["Symbol", "Satz", "Zeichen", "Wort"],
            "label",
        ),
        (
            "en",
            "Fill in the blank: A leaf node is assigned a _____.",
            ["class label", "nodes", "node", "split"],
            "same lemma",
        ),
        (
            "en",
            "Which term matches this description: “A quantity with a direction.”",
            ["vector", "scalar", "direction", "tensor"],
            "option in stem",
        ),
    ],
)
def test_it_rejects_unfair_options(language, stem, options, reason):
    assert question_problem(stem, options, 0, language, None) == reason


def test_it_keeps_options_of_the_answers_kind():
    stem = "Fill in the blank: If _____ are not pruned, they have a high risk to overfit the training data."
    options = ["decision trees", "children nodes", "impurity metrics", "split criteria"]
    assert question_problem(stem, options, 0, "en", None) is None
    stem = "Ergänze die Lücke: Die Sonderstellung der _____ ist begründet durch ihre Gedächtnislosigkeit."
    options = ["Exponentialverteilung", "Normalverteilung", "Erlangverteilung", "Gleichverteilung"]
    assert question_problem(stem, options, 0, "de", None) is None


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        ("de", "Es gibt eine wachsende Gemeinschaft von Archäologen, die es nutzen.", "dangling start"),
        ("de", "Soll das vom Stack genommene Symbol auf dem Stack bleiben, muss es wieder gepusht werden.", None),
        ("en", "Since then it has been used in every later version.", "dangling start"),
        ("en", "A list is mutable, so it can be changed after its creation.", None),
        ("de", "Fehlermeldung lesen und überlegen, ob sie einen Hinweis gibt.", "premise or instruction"),
    ],
)
def test_a_pronoun_needs_something_before_it_and_a_to_do_is_no_fact(language, sentence, expected):
    from learning.generation import nlp
    from learning.rubric import structure_problem

    assert structure_problem(nlp.tag(sentence, language), language) == expected


def test_a_which_term_question_whose_description_shares_a_stem_with_the_answer_is_unfair():
    stem = "Which term matches this description: “A statement that assigns a value to a variable.”"
    assert question_problem(stem, ["assignment", "operator", "operand", "keyword"], 0, "en", None) == "answer in stem"
    stem = "Which term matches this description: “A name that refers to a value.”"
    assert question_problem(stem, ["variable", "operator", "operand", "keyword"], 0, "en", None) is None


def test_the_documents_own_subject_is_no_blank_but_its_other_terms_are():
    sections = [
        SourceSection(0, "Entropy", 1, "Entropy", 1),
        SourceSection(1, "Entropy measures the impurity of a node. A pure node has zero entropy.", 1),
    ]
    terms = DocumentTerms.of(sections, "en")
    assert card_problem("cloze", "A pure node has zero {{c1::entropy}}.", "x", "en", terms) == "topic"
    assert card_problem("cloze", "Entropy measures the {{c1::impurity}} of a node.", "x", "en", terms) is None


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        ("en", "While rules are more expressive, they are more prone to overfitting than decision trees.", None),
        ("en", "While this works, it is slow on large datasets with many features.", "dangling start"),
        ("en", "Since this is the case, the tree keeps growing until every leaf is pure.", "dangling start"),
        ("de", "Da die Bedienzeiten unabhängig sind, ist die Wartezeit exponentialverteilt.", None),
        ("de", "Da diese unabhängig sind, ist die Wartezeit exponentialverteilt.", "dangling start"),
        ("de", "Da ist die Wartezeit der Kunden in der Schlange exponentialverteilt.", "dangling start"),
    ],
)
def test_a_subordinate_clause_may_open_a_statement_that_names_its_subject(language, sentence, expected):
    assert statement_problem(sentence, language) == expected


def test_an_english_connective_is_stripped_and_the_rest_judged_alone():
    kept = strip_label("However, a balanced binary decision tree has a depth that grows with the data.")
    assert kept == "a balanced binary decision tree has a depth that grows with the data."
    dangling = strip_label("Hence, it should be obvious that the prediction step is fast.")
    assert statement_problem(dangling[:1].upper() + dangling[1:], "en") == "dangling start"


def test_footnote_numbers_glued_to_words_are_dropped_and_symbols_kept():
    from learning.rubric import drop_footnote_marks

    assert drop_footnote_marks("The best split lies between adjacent examples7 with different class labels8.") == (
        "The best split lies between adjacent examples with different class labels."
    )
    assert drop_footnote_marks("Mutual information is the reduction of entropy.10") == (
        "Mutual information is the reduction of entropy."
    )
    assert drop_footnote_marks("Die Tiefe ist log2 n und W0 ist die Wartezeit.") == (
        "Die Tiefe ist log2 n und W0 ist die Wartezeit."
    )


def test_a_german_noun_form_whose_number_or_gender_only_the_sentence_shows_agrees_with_no_option_list():
    from learning.generation.nlp import noun_features

    assert noun_features("Verteilung") == ("f", False, True)
    assert noun_features("Datentypen") == (None, True, True)
    # "Namen": a rare singular variant and the plural of "Name" ("Ein Objektnamen" is no German)
    assert noun_features("Objektnamen")[2] is False
    assert noun_features("Reiter")[0] is None  # der Reiter (rider), die Reiter (tab): no gender to agree with


def test_a_common_one_word_blank_beside_the_sentence_s_rarer_concept_is_no_cloze():
    from learning.generation.offline import OfflineProvider
    from learning.tests.test_offline import sections_of

    pages = [
        "Strings\nStrings are immutable - we cannot change the contents of a string in place. "
        "Python strings store text, and immutable strings can be shared safely between functions.",
        "Warteschlangen\nDie Exponentialverteilung hat eine Sonderstellung wegen ihrer Gedächtnislosigkeit. "
        "Die Exponentialverteilung beschreibt Bedienzeiten und Zwischenankunftszeiten.",
    ]
    en = OfflineProvider().generate_flashcards(sections_of(pages[:1]), "en", 20)
    assert not any(card.back == "contents" for card in en)
    de = OfflineProvider().generate_flashcards(sections_of(pages[1:]), "de", 20)
    assert any(card.kind == "cloze" and card.back == "Exponentialverteilung" for card in de), de


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Die Daten sind so für geostatistische Analysen vorbereitet.", "refers to context"),
        ("Die Wartezeit ist so groß wie die Bedienzeit der Kunden im System.", None),
    ],
)
def test_a_german_so_that_stands_for_a_way_shown_before_needs_its_context(sentence, expected):
    assert statement_problem(sentence, "de") == expected


@pytest.mark.parametrize(
    ("language", "front", "expected"),
    [
        ("en", "Lists are “{{c1::mutable}}” - we can change an element of a list using the index operator.", None),
        (
            "de",
            "Die Reihenfolge der Bedienung wird durch die sogenannte „{{c1::Disziplin}}“ der Warteschlange bestimmt.",
            None,
        ),
        (
            "en",
            "Lists are “{{c1::very good}}” - we can change an element of a list using the index operator.",
            "generic",
        ),
        (
            "en",
            "Lists are “{{c1::mutable lists}}” - we can change an element of a list using the index operator.",
            "visible elsewhere",
        ),
        (
            "en",
            "Lists are {{c1::mutable}} - we can change an element of a list using the index operator.",
            "not a noun",
        ),
    ],
)
def test_a_term_the_author_quotes_is_a_fair_blank_whatever_its_part_of_speech(language, front, expected):
    assert card_problem("cloze", front, "", language, None) == expected


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        ("en", "There exists a relatively large variety of decision tree algorithms.", "trivia"),
        ("de", "Es gibt viele Pakete für die Visualisierung von Daten in R.", "trivia"),
        ("en", "There is one rule per leaf node when a tree is turned into rules.", None),
        ("de", "Es gibt kontextfreie Sprachen, für die keine eindeutige Grammatik existiert.", None),
    ],
)
def test_that_many_of_something_exist_is_no_fact_to_learn(language, sentence, expected):
    assert statement_problem(sentence, language) == expected
