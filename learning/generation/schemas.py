"""What the model must answer, as pydantic models: the SDK sends them as a strict JSON schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CardItem(BaseModel):
    kind: Literal["basic", "cloze"]
    front: str = Field(description="The question; for a cloze card the sentence with the term as {{c1::term}}.")
    back: str = Field(description="The answer, at most two short sentences; for a cloze card the hidden term.")
    marker: int = Field(description="The number N of the [[p. N]] or [[part N]] marker above the supporting text.")
    quote: str = Field(description="A sentence copied word for word from the text that supports the answer.")


class CardBatch(BaseModel):
    items: list[CardItem]


class QuestionItem(BaseModel):
    question: str
    options: list[str] = Field(description="Exactly four options, one of them correct.")
    correct_option: int = Field(description="Index 0 to 3 of the correct option.")
    explanation: str = Field(description="One sentence: why the correct option is right, from the text.")
    marker: int = Field(description="The number N of the [[p. N]] or [[part N]] marker above the supporting text.")
    quote: str = Field(description="A sentence copied word for word from the text that supports the answer.")


class QuestionBatch(BaseModel):
    items: list[QuestionItem]


class TopicItem(BaseModel):
    title: str
    level: int = Field(description="1 for a main topic, 2 for a subtopic of the topic before it.")
    first_marker: int
    last_marker: int
    summary: str = Field(description="One or two sentences.")
    key_terms: list[str]


class ChunkOutline(BaseModel):
    summary: str = Field(description="What this part of the document covers, in two to four sentences.")
    topics: list[TopicItem]


class DocumentOutline(BaseModel):
    topics: list[TopicItem]
