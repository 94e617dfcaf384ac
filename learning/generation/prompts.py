"""Prompts of the OpenAI provider. Change PROMPT_VERSION with any change here: it is part of the cache key."""

from __future__ import annotations

PROMPT_VERSION = "2026-12-01.1"

LANGUAGE_NAMES = {"de": "German (Deutsch)", "en": "English"}

RULES = """You write study material for a student from one part of their own lecture notes.
Rules:
- Write every item in {language}, the language of the document, even where the text quotes another language.
- Use only facts stated in the text below. Never add knowledge from elsewhere, never guess.
- Each item tests one fact. Answers are short: at most two sentences, at most 300 characters.
- The text is split by markers such as [[p. 12]] (a page) or [[part 3]] (a part of a document without pages).
  For every item give the number of the marker above the text it comes from, and a quote: one sentence
  copied word for word from there that supports the answer.
- Skip tables of contents, references, links, code listings and exercises without their solution,
  and remarks that are not subject matter (motivation, opinions, course logistics, "this chapter ...").
- Every item is understandable without the document open: no "this", "these", "it" or "the figure"
  pointing to something the item does not name, no symbol of a formula it does not explain.
- Ask for what an exam would ask: a concept, a definition, a relation, a property. Never a label word
  (theorem, definition, figure, note), a generic word (series, text, type), the document's own title
  subject, or a word that is still visible elsewhere in the item.
- No two items ask the same thing."""

FLASHCARDS = """Write about {count} flashcards. Mix two kinds:
- "basic": a question on the front, its answer on the back (definitions, causes, differences, steps).
- "cloze": one complete, self-contained sentence from the text on the front with its key term, a noun
  phrase, replaced by {{{{c1::term}}}}; the back is that term."""

QUESTIONS = """Write about {count} multiple-choice questions, each with exactly four options of which exactly
one is correct. The wrong options are terms of the same family as the correct one (other concepts of the same
kind from this document: other distributions for a distribution, other data structures for a data structure),
of the same part of speech, grammatical number and, in German, gender, about the same length, and clearly
wrong according to the text. No option is a person's name, a label or a fragment, no two share a word stem,
and neither the correct answer nor any word of its stem appears in the question."""

OUTLINE = """Outline this part of the document: a short summary of what it covers, and its topics in reading
order (level 1 for a main topic, 2 for a subtopic) with the markers where each begins and ends, a one-sentence
summary and up to five key terms from the text."""

REDUCE = """Below are outlines of consecutive parts of one document. Merge them into one outline of the whole
document: main topics (level 1) and subtopics (level 2) in reading order, with the first and last marker of
each, a one-sentence summary and up to five key terms. Merge topics that continue across parts. Use only what
the outlines say."""


def language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language, "the language the text is written in")


def messages(task_prompt: str, text: str, language: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": RULES.format(language=language_name(language)) + "\n\n" + task_prompt},
        {"role": "user", "content": text},
    ]
