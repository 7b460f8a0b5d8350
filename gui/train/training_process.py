"""Training in a spawned process, so the trainer never holds the UI's GIL.

Trained in a thread of the GUI process, the engines' Python and NumPy code held the
GIL between the UI thread's many short hand-overs while it painted the curves: a 5 ms
repaint took 25 ms and the UI stalled up to 75 ms (#12, ``bench/gui.py --only
training``). ``train_in_process`` has ``core.training.api.train``'s signature: the
Train panel's worker thread calls it and blocks on the event queue (GIL released);
the run itself happens in a ``spawn`` child (never ``fork``: Qt and torch threads).
Events come back as the same frozen dataclasses; Stop sets a process-shared flag the
child copies into its ``CancelToken`` at every event, so a run stops after the batch
as before. Nothing is terminated while the child answers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import traceback
from typing import Any

from core.errors import CnnLyticalError, TrainingError, one_line
from core.runs.config import TrainConfig
from core.runs.events import CancelToken, EventCallback

log = logging.getLogger(__name__)

POLL_S = 0.1  # how often the parent looks at Stop and at a child that died
CHILD_NICENESS = 5  # as the GUI's worker threads (gui/workers.py)


class TrainingProcessError(TrainingError):
    """The child's one-line error, raised again here (its traceback, if any, went to stderr)."""


def leave_a_core_for_the_ui(engine: str) -> None:
    """Torch's intra-op pool and NumPy's BLAS would take every core; keep one for the UI."""
    from threadpoolctl import threadpool_limits

    cores = max(1, (os.cpu_count() or 1) - 1)
    threadpool_limits(limits=cores)  # OpenBLAS / MKL / OpenMP pools already loaded (NumPy)
    if engine != "torch":
        return
    import torch

    torch.set_num_threads(max(1, min(torch.get_num_threads(), cores)))


def train_in_process(config: TrainConfig, on_event: EventCallback,
                     cancel: CancelToken) -> dict[str, Any] | None:
    """Run ``core.training.api.train(config)`` in a spawned process; forward its events."""
    context = multiprocessing.get_context("spawn")
    events = context.Queue()
    stop = context.Event()
    child = context.Process(target=run_child, args=(config, events, stop, os.getpid()),
                            name="cnn-lytical-training")
    child.start()
    try:
        return _forward(child, events, stop, on_event, cancel)
    finally:
        stop.set()  # a child still training (the parent failed) stops after its batch
        while child.is_alive():  # drained: a child still flushing its queue cannot exit
            try:
                events.get(timeout=POLL_S)
            except queue.Empty:
                pass
        child.join()
        events.close()


def _forward(child, events, stop, on_event: EventCallback, cancel: CancelToken):
    while True:
        if cancel.cancelled:
            stop.set()
        try:
            kind, payload = events.get(timeout=POLL_S)
        except queue.Empty:
            if not child.is_alive() and events.empty():
                raise TrainingError(f"the training process ended unexpectedly "
                                    f"(exit code {child.exitcode})") from None
            continue
        if kind == "event":
            on_event(payload)
        elif kind == "summary":
            return payload
        else:  # "error": the child's one-line message
            raise TrainingProcessError(payload)


def run_child(config: TrainConfig, events, stop, parent_pid: int) -> None:
    """The child's whole life: train, send every event, then the summary or the error.
    It stops like a cancelled run when Stop is set or the app is gone (killed)."""
    from core.malloc_tuning import keep_freed_memory
    from core.training.api import train

    keep_freed_memory()  # as main.py does: a fresh interpreter starts with glibc's defaults
    cancel = CancelToken()

    def send(event) -> None:
        events.put(("event", event))
        if stop.is_set() or os.getppid() != parent_pid:
            cancel.cancel()

    try:
        if hasattr(os, "nice"):
            os.nice(CHILD_NICENESS)  # when both want a core, the UI thread gets it first
        leave_a_core_for_the_ui(config.engine)
        summary = train(config, send, cancel)
        events.put(("summary", summary))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which shows it
        if not isinstance(error, CnnLyticalError):
            log.error("training failed:\n%s", traceback.format_exc())
        events.put(("error", one_line(error)))
    events.close()
    events.join_thread()  # everything is in the pipe before the process exits
