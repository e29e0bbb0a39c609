"""Every error the pipeline raises on purpose derives from PipelineError.

    PipelineError                 a problem the user can act on; the CLI prints it and exits 1
    ├── StoryboardError           the storyboard is invalid: carries every Problem found in one pass
    ├── MediaError                ffmpeg or a probe failed: carries the command's last stderr lines
    │   └── EncoderMismatch       assembly.encoder_match: a re-encoded piece cannot sit between copied
    │                             packets (the assembler catches it and re-encodes the whole cut)
    ├── ProviderError             a generation provider refused or failed: carries shot id and job id
    │   ├── GenerationFailed      providers.base: a job ended `failed`, classified by its provider
    │   ├── NotCreated            providers.base: a create that certainly made nothing (refused, never sent)
    │   │   └── OutOfCredit       providers.jobs_http: a 402: no later create of the run is sent
    │   └── MayExist              providers.base: a create's answer was lost where jobs cannot be listed: the
    │                             generation may exist, so it is never sent again by itself
    ├── KeyframeURLError          providers.luma.request: a local keyframe has no public URL Luma can fetch
    ├── AssetError                assets.store: the asset store cannot take or serve a file; names the store
    ├── RunFailed                 engine.runner: shots failed; carries their ProviderErrors and how to resume
    ├── UnknownState              engine.states: a journaled state this version does not know; names the shot
    ├── FolderBusy                engine.folder_lock: another process writes the output folder (--no-wait)
    ├── LeaseLost                 engine.leases: another machine holds the shot (or took it over when this
    │                             one's lease ran out): this one's write about it does not land
    ├── AccountBusy               engine.account_limits: the account is at a limit now; carries how long to
    │                             wait (the engine waits, nothing was written)
    ├── DiskError                 files: the disk refused a write (full, read-only, no permission): carries
    │                             the path
    └── BudgetError               the estimate exceeds the budget, or spending was not confirmed

Those without a module named live here. Anything else that escapes is a bug: the CLI shows a short notice,
and the traceback with PIPELINE_DEBUG=1. tests/test_errors.py fails when a subclass is missing from this tree.
"""

from __future__ import annotations

from dataclasses import dataclass


class PipelineError(Exception):
    """A problem the user can act on; the message says what to do next."""


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in a storyboard, located in its file (line and column are 1-based)."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"  # "error" stops the run; "note" informs (e.g. an alias was resolved)

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.line}:{self.col}: {tag}{self.message}"


class StoryboardError(PipelineError):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class MediaError(PipelineError):
    def __init__(self, message: str, stderr: str = ""):
        self.stderr_tail = "\n".join(stderr.strip().splitlines()[-8:])
        super().__init__(f"{message}\n{self.stderr_tail}" if self.stderr_tail else message)


class ProviderError(PipelineError):
    def __init__(self, message: str, *, shot_id: str | None = None, job_id: str | None = None,
                 retryable: bool = False):
        self.shot_id, self.job_id, self.retryable = shot_id, job_id, retryable
        self.detail = message  # without the shot and generation, for an error that wraps this one
        where = f"shot {shot_id}: " if shot_id else ""
        super().__init__(f"{where}{message}" + (f" (generation {job_id})" if job_id else ""))


class BudgetError(PipelineError):
    pass
