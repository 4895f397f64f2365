"""A progress bar over the inbox's files, on the terminal of whoever runs the job."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ingestion.loader import FileLoadResult, inbox_files


class FileProgress:
    def __init__(self, inbox: Path) -> None:
        files = list(inbox_files(inbox))
        self._progress = Progress(
            TextColumn("[bold]loading inbox"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"), TimeElapsedColumn(), transient=False,
        )
        self._task = self._progress.add_task("load", total=len(files), last="")
        self._current: str | None = None

    def __enter__(self) -> FileProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def advance(self, result: FileLoadResult) -> None:
        # an archive or a workbook gives several results: the bar counts inbox files
        step = 0 if result.inbox_file is not None and result.inbox_file == self._current else 1
        self._current = result.inbox_file
        self._progress.update(self._task, advance=step,
                              last=f"{result.source_file} ({result.status})")
