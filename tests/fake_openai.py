"""A local stand-in for the OpenAI chat-completions API, spoken over real HTTP to the real `openai` SDK.

It answers structured-output requests the way a careful model would: from the text it was
given, in the language the prompt asks for, citing the page markers. Tests script failures:
`server.faults` is consumed one per request ("429", "500", "timeout", "invalid_json",
"invalid_output", "refusal", "quota", "bad_request"), and `server.poison` fails every request
whose document text holds a given string with a given fault.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "sk-test-fake"
MARKER = re.compile(r"^\[\[(?:p\.|part) (\d+)\]\]$")
LONG_WORD = re.compile(r"\b[^\W\d_]{7,}\b")


@dataclass
class Request:
    schema: str
    system: str
    text: str
    body: dict = field(default_factory=dict, repr=False)  # as sent, so a benchmark can send it again


@dataclass
class FakeOpenAI:
    host: str = "127.0.0.1"
    port: int = 0
    faults: list[str] = field(default_factory=list)
    poison: dict[str, str] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    timeout_sleep: float = 2.0
    delay: float = 0.0  # seconds every answer waits, like a model thinking (the benchmark uses 0.3)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake.handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def count(self, schema: str | None = None) -> int:
        return sum(schema is None or r.schema == schema for r in self.requests)

    # --- one request ------------------------------------------------------------------------

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        body = json.loads(http.rfile.read(int(http.headers["Content-Length"])))
        if http.path != "/v1/chat/completions":
            return _send(http, 404, {"error": {"message": "Not found", "type": "invalid_request_error"}})
        messages = body["messages"]
        schema = body.get("response_format", {}).get("json_schema", {}).get("name", "")
        request = Request(schema, messages[0]["content"], messages[-1]["content"], body)
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.requests.append(request)
            fault = self.faults.pop(0) if self.faults else ""
        fault = next((f for needle, f in self.poison.items() if needle in request.text), fault)
        if http.headers.get("Authorization") != f"Bearer {API_KEY}":
            error = {
                "message": "Incorrect API key provided.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return _send(http, 401, {"error": error})
        if fault:
            return self._fault(http, fault, body)
        answer = ANSWERS[schema](request, _count(request.system))
        return _send(http, 200, _completion(body, json.dumps(answer)))

    def _fault(self, http: BaseHTTPRequestHandler, fault: str, body: dict) -> None:
        if fault == "429":
            error = {"message": "Rate limit reached.", "type": "requests", "code": "rate_limit_exceeded"}
            return _send(http, 429, {"error": error}, {"Retry-After": "1"})
        if fault == "quota":
            error = {
                "message": "You exceeded your current quota.",
                "type": "insufficient_quota",
                "code": "insufficient_quota",
            }
            return _send(http, 429, {"error": error})
        if fault == "500":
            return _send(
                http,
                500,
                {"error": {"message": "The server had an error.", "type": "server_error"}},
                {"retry-after-ms": "10"},
            )
        if fault == "bad_request":
            return _send(http, 400, {"error": {"message": "Invalid schema.", "type": "invalid_request_error"}})
        if fault == "timeout":
            time.sleep(self.timeout_sleep)
            return _send(http, 200, _completion(body, "{}"))
        if fault == "invalid_json":
            return _send_raw(http, 200, b'{"id": "chatcmpl-broken", "choices": [', "application/json")
        if fault == "invalid_output":
            return _send(http, 200, _completion(body, '{"items": "not a list"'))
        if fault == "refusal":
            return _send(http, 200, _completion(body, None, refusal="I'm sorry, I can't help with that."))
        raise ValueError(fault)


# --- what a careful model would answer -------------------------------------------------------------


def _count(system: str) -> int:
    found = re.search(r"Write about (\d+)", system)
    return int(found.group(1)) if found else 3


def _german(system: str) -> bool:
    return "German" in system.split("Rules:")[1].split("\n")[1]


def _blocks(text: str) -> list[tuple[int, str]]:
    """(marker, line) for every body line of the chunk."""
    marker, rows = 0, []
    for line in text.splitlines():
        found = MARKER.match(line.strip())
        if found:
            marker = int(found.group(1))
        elif line.strip() and not line.startswith("# "):
            rows.append((marker, line.strip()))
    return rows


def _sentences(text: str) -> list[tuple[int, str, str]]:
    """(marker, sentence, a long word in it) for sentences worth a card."""
    found = []
    for marker, line in _blocks(text):
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            words = LONG_WORD.findall(sentence)
            if 40 <= len(sentence) <= 280 and words:
                found.append((marker, sentence, max(words, key=len)))
    return found


def _cards(request: Request, count: int) -> dict:
    german = _german(request.system)
    items = []
    for index, (marker, sentence, word) in enumerate(_sentences(request.text)[:count]):
        if index % 2:
            front = sentence.replace(word, "{{c1::" + word + "}}", 1)
            items.append({"kind": "cloze", "front": front, "back": word, "marker": marker, "quote": sentence})
        else:
            question = f"Was sagt der Text über „{word}“?" if german else f"What does the text say about “{word}”?"
            items.append({"kind": "basic", "front": question, "back": sentence, "marker": marker, "quote": sentence})
    return {"items": items}


def _questions(request: Request, count: int) -> dict:
    german = _german(request.system)
    candidates = _sentences(request.text)
    pool: list[str] = []
    for word in sorted({word for _m, _s, word in candidates}, key=len):
        if all(word.lower()[:6] != other.lower()[:6] for other in pool):  # no "coordinate" next to "coordinates"
            pool.append(word)
    items = []
    for index, (marker, sentence, word) in enumerate(candidates[:count]):
        others = [w for w in pool if w.lower()[:6] != word.lower()[:6]]
        others = sorted(others, key=lambda w: abs(len(w) - len(word)))[:3]
        if len(others) < 3:
            continue
        options = others[:]
        options.insert(index % 4, word)
        blanked = sentence.replace(word, "_____", 1)
        stem = f"Welches Wort fehlt? {blanked}" if german else f"Which word is missing? {blanked}"
        explanation = f"Im Text: {sentence}" if german else f"The text says: {sentence}"
        items.append(
            {
                "question": stem,
                "options": options,
                "correct_option": index % 4,
                "explanation": explanation,
                "marker": marker,
                "quote": sentence,
            }
        )
    return {"items": items}


def _outline(request: Request, count: int) -> dict:
    markers = [int(m) for m in re.findall(r"^\[\[(?:p\.|part) (\d+)\]\]$", request.text, re.M)]
    headings = [line[2:].strip() for line in request.text.splitlines() if line.startswith("# ")]
    sentences = _sentences(request.text)
    title = headings[0] if headings else " ".join(request.text.split()[1:5])
    topic = {
        "title": title,
        "level": 1,
        "first_marker": min(markers or [1]),
        "last_marker": max(markers or [1]),
        "summary": sentences[0][1] if sentences else title,
        "key_terms": [word for _m, _s, word in sentences[:3]],
    }
    return {"summary": " ".join(s for _m, s, _w in sentences[:2]) or title, "topics": [topic]}


def _reduce(request: Request, count: int) -> dict:
    topics = []
    for title, first, last in re.findall(r"^- level \d: (.+?) \[(\d+)–(\d+)\]", request.text, re.M):
        topics.append(
            {
                "title": title,
                "level": 1,
                "first_marker": int(first),
                "last_marker": int(last),
                "summary": title,
                "key_terms": [],
            }
        )
    return {"topics": topics}


ANSWERS = {"CardBatch": _cards, "QuestionBatch": _questions, "ChunkOutline": _outline, "DocumentOutline": _reduce}


def _completion(body: dict, content: str | None, refusal: str | None = None) -> dict:
    prompt = sum(len(m["content"]) for m in body["messages"]) // 4
    completion = len(content or refusal or "") // 4
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def _send(http: BaseHTTPRequestHandler, status: int, payload: dict, headers: dict | None = None) -> None:
    _send_raw(http, status, json.dumps(payload).encode(), "application/json", headers)


def _send_raw(
    http: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str, headers: dict | None = None
) -> None:
    try:
        http.send_response(status)
        http.send_header("Content-Type", content_type)
        http.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            http.send_header(name, value)
        http.end_headers()
        http.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a timeout test)
