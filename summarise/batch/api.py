"""The OpenAI Batch API side of a batch job: upload its parts, create and follow their batches, keep the results.

:class:`RemoteBatches` holds these steps for :class:`summarise.batch.jobs.BatchJobs`; before uploading or
creating, it searches the remote lists for what an interrupted run already did, so no request is
submitted twice. A part is uploaded as ``summarise-<job>-requests-NNN.jsonl``, the sha256 of its bytes
recorded first: an upload found remotely is taken for the part only when it is the one upload of that
name and size and the recorded hash is the part's content, so no job ever takes another's file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from openai.types.chat import ChatCompletion

from summarise.batch.parts import CollectReport, checkpoint
from summarise.batch.tables import BatchTables
from summarise.exceptions import ConfigError, SummariseError, TransportError
from summarise.llm import BackendConfig
from summarise.llm.client import short_error
from summarise.store.database import Store

ENDPOINT = "/v1/chat/completions"
COMPLETION_WINDOW = "24h"
PENDING_STATES = {"validating", "in_progress", "finalizing", "cancelling"}
TERMINAL_STATES = {"completed", "failed", "expired", "cancelled"}


def upload_name(job: str, part: int) -> str:
    """The name a part is uploaded under: its job and number (never the same for two jobs)."""
    return f"summarise-{job}-requests-{part:03d}.jsonl"


class BatchNotReady(SummariseError):
    """A batch of the job is still running: collect again later."""

    exit_code = 75  # EX_TEMPFAIL


class RemoteBatches:
    """The Batch API steps of a job, for :class:`summarise.batch.jobs.BatchJobs` (which sets these attributes)."""

    config: BackendConfig
    store: Store
    tables: BatchTables
    _openai: Any

    def job_row(self, job: str) -> dict[str, Any]:
        """The job's row in the store; a job the store does not hold is a clear error."""
        row = self.tables.job(job)
        if row is None:
            raise ConfigError(f"no batch job {job} in {self.store.path}: `summarise batch status` lists the jobs")
        return row

    @property
    def openai(self) -> Any:
        """The SDK client of the configured endpoint."""
        if self._openai is None:
            import openai

            if not self.config.api_key and not self.config.base_url:
                raise ConfigError(
                    "the Batch API needs an endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL for another "
                    "OpenAI-compatible server), or use `summarise batch run --local`"
                )
            self._openai = openai.OpenAI(
                api_key=self.config.api_key or "not-needed", base_url=self.config.base_url, max_retries=3, timeout=120
            )
        return self._openai

    def submit(self, job: str) -> list[dict[str, Any]]:
        """Upload every part and create its batch, skipping what an earlier run already did."""
        import openai

        try:
            for part in self.tables.parts(job):
                if part["requests"] == 0 or part["batch_id"]:
                    continue
                if not part["file_id"]:
                    name = upload_name(job, part["part"])
                    try:
                        with open(part["path"], "rb") as handle:  # read in chunks: a part may be 200 MB
                            digest = hashlib.file_digest(handle, "sha256").hexdigest()
                        size = Path(part["path"]).stat().st_size
                    except OSError as error:
                        raise ConfigError(
                            f"job {job}: cannot read its request file {part['path']}: "
                            f"{(error.strerror or str(error)).lower()}"
                        ) from None
                    # an upload of this name is this content only if this hash was recorded before it was sent
                    file_id = self._uploaded(name, size) if part.get("sha256") == digest else None
                    if file_id is None:
                        self.tables.set_part(job, part["part"], sha256=digest)
                        with open(part["path"], "rb") as handle:
                            file_id = self.openai.files.create(file=(name, handle), purpose="batch").id
                        checkpoint("uploading")
                    self.tables.set_part(job, part["part"], file_id=file_id)
                    part["file_id"] = file_id
                    checkpoint("uploaded")
                batch = self._created(job, part["part"])
                if batch is None:
                    batch = self.openai.batches.create(
                        input_file_id=part["file_id"],
                        endpoint=ENDPOINT,
                        completion_window=COMPLETION_WINDOW,
                        metadata={"summarise_job": job, "summarise_part": str(part["part"])},
                    )
                    checkpoint("creating")
                self.tables.set_part(job, part["part"], batch_id=batch.id, status=batch.status)
                checkpoint("created")
        except openai.APIError as error:
            raise TransportError(f"the Batch API failed: {type(error).__name__}: {short_error(error)}") from None
        return self.tables.parts(job)

    def _uploaded(self, name: str, size: int) -> str | None:
        """The one upload of this name and size (the caller has checked the recorded hash); none if two could be."""
        found = [r.id for r in self.openai.files.list(purpose="batch") if r.filename == name and r.bytes == size]
        return found[0] if len(found) == 1 else None  # which of two is this content cannot be told: send it again

    def _created(self, job: str, part: int) -> Any:
        for batch in self.openai.batches.list(limit=100):
            metadata = batch.metadata or {}
            if metadata.get("summarise_job") == job and metadata.get("summarise_part") == str(part):
                return batch
        return None

    def refresh(self, job: str) -> list[dict[str, Any]]:
        """Ask the Batch API for the state of each part of a submitted job."""
        import openai

        local = bool(self.job_row(job)["local"])
        for part in self.tables.parts(job):
            if local or not part["batch_id"] or (part["status"] in TERMINAL_STATES and part["ingested"]):
                continue
            try:
                batch = self.openai.batches.retrieve(part["batch_id"])
            except openai.APIError as error:
                raise TransportError(f"the Batch API failed: {type(error).__name__}: {short_error(error)}") from None
            counts = batch.request_counts.model_dump() if batch.request_counts else None
            self.tables.set_part(
                job,
                part["part"],
                status=batch.status,
                counts=json.dumps(counts) if counts else None,
                output_file_id=batch.output_file_id,
                error_file_id=batch.error_file_id,
            )
        return self.tables.parts(job)

    def download(self, job: str, report: CollectReport) -> None:
        """Fetch and keep every output and error line of the job's finished parts."""
        for part in self.refresh(job):
            if part["requests"] == 0 or part["ingested"]:
                continue
            if not part["batch_id"]:
                raise BatchNotReady(f"job {job}: part {part['part']} was never submitted: run `summarise batch submit`")
            if part["status"] not in TERMINAL_STATES:
                raise BatchNotReady(
                    f"job {job}: batch {part['batch_id']} is {part['status']}: run `summarise batch collect` later"
                )
            for kind in ("output", "error"):
                file_id = part[f"{kind}_file_id"]
                if not file_id:
                    continue
                path = Path(part["path"]).with_name(f"{kind}-{part['part']:03d}.jsonl")
                if not path.exists():
                    self._fetch(file_id, path)
                checkpoint("downloaded")
                self.ingest(job, path, report)
            self.tables.set_part(job, part["part"], ingested=1)

    def _fetch(self, file_id: str, path: Path) -> None:
        partial = path.with_suffix(".partial")
        with self.openai.files.with_streaming_response.content(file_id) as response, open(partial, "wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
        partial.replace(path)

    def ingest(self, job: str, path: Path, report: CollectReport) -> None:
        """Keep each line of an output or error file (once); report lines that cannot be used."""
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                report.lines += 1
                try:
                    record = json.loads(line)
                    custom_id = record["custom_id"]
                except (ValueError, KeyError, TypeError):
                    report.bad_lines += 1
                    continue
                if self.tables.request(job, custom_id) is None:
                    report.unknown_ids.append(str(custom_id))
                    continue
                self.keep_result(job, custom_id, record.get("response"), record.get("error"))

    def keep_result(self, job: str, custom_id: str, response: Any, error: Any) -> None:
        """Store one result; a body that is not a chat completion counts as no answer."""
        status = response.get("status_code") if isinstance(response, dict) else None
        body = response.get("body") if isinstance(response, dict) else None
        text = None
        if status == 200 and isinstance(body, dict):
            try:
                text = ChatCompletion.model_validate(body).model_dump_json()
            except ValueError:
                status, error = None, {"message": "the response body is not a chat completion"}
        self.tables.save_result(job, custom_id, status, text, json.dumps(error) if error else None)
