"""A fake OpenAI server on 127.0.0.1 for tests: files, batches and chat completions, real wire formats.

Answers are scripted, not a model: a chat request is answered with the recorded answer of
``fixtures/llm`` whose messages are the same (the recordings were made by the embedded model),
so the batch path can be tested end to end on the same answers as the replay tests. Faults are
injected per request by ``FakeOpenAI.faults``: ``{"<substring of custom_id>": kind}`` with kind
``error`` (an error line), ``http500`` (a line whose response is HTTP 500), ``invalid_json``
(an answer whose content is not JSON) or ``missing`` (no line at all, as when a batch expires).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from summarise.extraction.answers import ON_TOPIC_SUBJECTS, SUBJECTS

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "llm"
OFF_TOPIC_SUBJECTS = set(SUBJECTS) - ON_TOPIC_SUBJECTS


def messages_key(messages: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class FakeOpenAI:
    """The server's state and behaviour; ``url`` is its base URL (``.../v1``)."""

    def __init__(self, final_status: str = "completed", polls_before_done: int = 1, shuffle: bool = True) -> None:
        self.final_status = final_status
        self.polls_before_done = polls_before_done
        self.shuffle = shuffle
        self.faults: dict[str, str] = {}
        self.extra_lines: list[str] = []
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.uploads = 0
        self.creates = 0
        self.chat_requests = 0
        # Chat faults: {"<text of the requests' messages>": [fault, fault, ...]}, one fault per request
        # (then "ok"). Faults: ok, malformed_json, schema_break, ungrounded, length, refusal,
        # 401, 429, 429_no_retry_after, 500, 502, 503, hang, drop.
        self.chat_faults: dict[str, list[str]] = {}
        self.chat_log: list[str] = []
        self.hang_seconds = 3.0
        self.lock = threading.Lock()
        self.answers: dict[str, Any] = {}
        self.first_answers: dict[str, Any] = {}  # a reask not recorded gets the question's first answer
        self.final_answers: dict[str, tuple[int, Any]] = {}  # a question's answer after its reasks
        for path in sorted(RECORDINGS.glob("*.json")):
            recording = json.loads(path.read_text(encoding="utf-8"))
            messages = recording["request"]["messages"]
            self.answers[messages_key(messages)] = recording["response"]
            self.first_answers.setdefault(messages_key(messages[:2]), recording["response"])
            question = messages_key(messages[:2])
            if len(messages) >= self.final_answers.get(question, (0, None))[0]:
                self.final_answers[question] = (len(messages), recording["response"])
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- behaviour ------------------------------------------------------------------------------

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """A chat completion for a request body: the recorded answer to the same messages."""
        recorded = (
            self.answers.get(messages_key(body["messages"]))
            or self.first_answers.get(messages_key(body["messages"][:2]))
            or self.combined_answer(body["messages"][:2])
        )
        if recorded is None:
            content = json.dumps({"error": "no recording for these messages"})
            recorded = {
                "id": "chatcmpl-none",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        return recorded

    def combined_answer(self, messages: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The answer to every question asked at once (``TASKS:``): each question's recorded
        final answer (after its reasks), merged into one object (the recordings ask one question
        at a time; for an article whose recorded subject is off topic only the topic part exists).
        Its usage is the sum of theirs: a scripted figure, not a measurement."""
        if len(messages) < 2 or "\nTASKS: " not in messages[1]["content"]:
            return None
        system, user = messages[0], messages[1]
        block, _, tasks = user["content"].partition("TASKS: ")
        merged: dict[str, Any] = {}
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        for task in re.split(r"(?m)^(?=TASK: )", tasks)[1:]:
            question = [system, {**user, "content": (block + task).removesuffix("\n")}]
            _, recorded = self.final_answers.get(messages_key(question), (0, None))
            if recorded is None:
                if merged.get("subject") in OFF_TOPIC_SUBJECTS:
                    continue  # the recordings stop at an off-topic subject, as the answer may: its first part is enough
                return None
            merged.update(json.loads(recorded["choices"][0]["message"]["content"]))
            for name in usage:
                usage[name] += recorded["usage"][name]
        return {
            "id": "chatcmpl-combined",
            "object": "chat.completion",
            "created": 0,
            "model": "recorded",
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": json.dumps(merged)}}
            ],
            "usage": usage,
        }

    def next_fault(self, request: dict[str, Any]) -> str:
        """The scripted fault for this chat request (``ok`` when none is left)."""
        text = json.dumps(request["messages"], ensure_ascii=False)
        for marker, faults in self.chat_faults.items():
            if marker in text and faults:
                fault = faults.pop(0)
                self.chat_log.append(fault)
                return fault
        self.chat_log.append("ok")
        return "ok"

    def _fault(self, custom_id: str) -> str | None:
        return next((kind for part, kind in self.faults.items() if part in custom_id), None)

    def _run_batch(self, batch: dict[str, Any]) -> None:
        lines_in = self.files[batch["input_file_id"]]["content"].decode().splitlines()
        output, errors = [], []
        for number, raw in enumerate(lines_in):
            request = json.loads(raw)
            custom_id = request["custom_id"]
            kind = self._fault(custom_id)
            if kind == "missing" or (batch["final"] == "expired" and number % 2):
                continue
            line_id = f"batch_req_{number}"
            if kind == "error":
                errors.append(
                    {
                        "id": line_id,
                        "custom_id": custom_id,
                        "response": None,
                        "error": {"code": "server_error", "message": "scripted failure"},
                    }
                )
                continue
            if kind == "http500":
                output.append(
                    {
                        "id": line_id,
                        "custom_id": custom_id,
                        "response": {
                            "status_code": 500,
                            "request_id": f"req_{number}",
                            "body": {"error": {"message": "scripted 500"}},
                        },
                        "error": None,
                    }
                )
                continue
            body = json.loads(json.dumps(self.answer(request["body"])))
            if kind == "invalid_json":
                body["choices"][0]["message"]["content"] = "{not json"
            output.append(
                {
                    "id": line_id,
                    "custom_id": custom_id,
                    "response": {"status_code": 200, "request_id": f"req_{number}", "body": body},
                    "error": None,
                }
            )
        if self.shuffle:
            random.Random(7).shuffle(output)
        text = "".join(json.dumps(line) + "\n" for line in output) + "".join(self.extra_lines)
        batch["output_file_id"] = self._store_file("output.jsonl", text.encode(), "batch_output") if text else None
        if errors:
            batch["error_file_id"] = self._store_file(
                "errors.jsonl", "".join(json.dumps(e) + "\n" for e in errors).encode(), "batch_output"
            )
        batch["request_counts"] = {"total": len(lines_in), "completed": len(output), "failed": len(errors)}

    def _store_file(self, filename: str, content: bytes, purpose: str) -> str:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "content": content,
        }
        return file_id

    # --- HTTP -----------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, payload: Any, raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream" if raw is not None else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with fake.lock:
                    if path == "/v1/files":
                        data = [{k: v for k, v in f.items() if k != "content"} for f in fake.files.values()]
                        return self._send(200, {"object": "list", "data": data, "has_more": False})
                    if match := re.fullmatch(r"/v1/files/([\w-]+)/content", path):
                        return self._send(200, None, raw=fake.files[match.group(1)]["content"])
                    if path == "/v1/batches":
                        data = [public(b) for b in fake.batches.values()]
                        return self._send(
                            200, {"object": "list", "data": data, "has_more": False, "first_id": None, "last_id": None}
                        )
                    if match := re.fullmatch(r"/v1/batches/([\w-]+)", path):
                        batch = fake.batches[match.group(1)]
                        fake.polls[batch["id"]] = fake.polls.get(batch["id"], 0) + 1
                        if batch["status"] == "validating":
                            batch["status"] = "in_progress"
                        elif fake.polls[batch["id"]] > fake.polls_before_done and batch["status"] == "in_progress":
                            fake._run_batch(batch)
                            batch["status"] = batch["final"]
                        return self._send(200, public(batch))
                return self._send(404, {"error": {"message": f"no route {path}"}})

            def do_POST(self) -> None:
                path = self.path.split("?")[0]
                body = self._body()
                with fake.lock:
                    if path == "/v1/files":
                        filename, content, purpose = parse_multipart(self.headers["Content-Type"], body)
                        fake.uploads += 1
                        file_id = fake._store_file(filename, content, purpose)
                        return self._send(200, {k: v for k, v in fake.files[file_id].items() if k != "content"})
                    if path == "/v1/batches":
                        request = json.loads(body)
                        fake.creates += 1
                        batch_id = f"batch_{len(fake.batches) + 1}"
                        fake.batches[batch_id] = {
                            "id": batch_id,
                            "object": "batch",
                            "endpoint": request["endpoint"],
                            "errors": None,
                            "input_file_id": request["input_file_id"],
                            "completion_window": request["completion_window"],
                            "status": "validating",
                            "output_file_id": None,
                            "error_file_id": None,
                            "created_at": int(time.time()),
                            "request_counts": {"total": 0, "completed": 0, "failed": 0},
                            "metadata": request.get("metadata"),
                            "final": fake.final_status,
                        }
                        return self._send(200, public(fake.batches[batch_id]))
                    if path == "/v1/chat/completions":
                        fake.chat_requests += 1
                        request = json.loads(body)
                        fault = fake.next_fault(request)
                if path == "/v1/chat/completions":
                    return self._chat(request, fault)
                return self._send(404, {"error": {"message": f"no route {path}"}})

            def _chat(self, request: dict[str, Any], fault: str) -> None:
                answer = json.loads(json.dumps(fake.answer(request)))
                message = answer["choices"][0]["message"]
                if fault in ("401", "429", "429_no_retry_after", "500", "502", "503"):
                    status = int(fault[:3])
                    data = json.dumps({"error": {"message": f"scripted {status}", "type": "server_error"}}).encode()
                    self.send_response(status)
                    if fault == "429":
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return None
                if fault == "hang":
                    time.sleep(fake.hang_seconds)
                if fault == "drop":
                    data = json.dumps(answer).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    self.close_connection = True
                    return None
                if fault == "malformed_json":
                    message["content"] = '{"coalitions": [ {"name": '
                elif fault == "schema_break":
                    message["content"] = json.dumps({"unexpected": True})
                elif fault == "ungrounded":
                    message["content"] = _unground(message["content"])
                elif fault == "length":
                    message["content"] = message["content"][: len(message["content"]) // 2]
                    answer["choices"][0]["finish_reason"] = "length"
                elif fault == "refusal":
                    message["content"] = None
                    message["refusal"] = "I can't help with that."
                return self._send(200, answer)

        return Handler


#: What an ungrounded answer says instead of the article's facts: words it never holds, a sentence past its end.
_NOWHERE = {"text": "Words found nowhere here.", "sentence": 9999}


def _unground(content: str) -> str:
    """The same answer pointing nowhere: statements the article does not hold, at a sentence number past its end.

    (No question asks for claims or quotes any more: the code reads them from the article's sentences.)"""
    try:
        data = json.loads(content)
    except ValueError:
        return content

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (_NOWHERE[k] if k in _NOWHERE else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return json.dumps(walk(data))


def public(batch: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in batch.items() if key != "final"}


def parse_multipart(content_type: str, body: bytes) -> tuple[str, bytes, str]:
    """(filename, file content, purpose) of a multipart/form-data upload."""
    boundary = content_type.split("boundary=")[1].strip('"').encode()
    filename, content, purpose = "upload", b"", ""
    for part in body.split(b"--" + boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, data = part.split(b"\r\n\r\n", 1)
        data = data.removesuffix(b"\r\n")
        if b'name="file"' in head:
            found = re.search(rb'filename="([^"]*)"', head)
            filename = found.group(1).decode() if found else filename
            content = data
        elif b'name="purpose"' in head:
            purpose = data.decode()
    return filename, content, purpose
