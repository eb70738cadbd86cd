"""What the Pelican process does when the machine fails it: a cache cut short, a full disk.

**Pelican's reader cache** (``<CACHE_PATH>/<Generator>-Readers``). Pelican writes it in place,
so a build killed while writing it leaves it cut short, and Pelican, reading one cut short, meets
``EOFError``, which it does not catch (it catches ``PickleError``): every later build would fail.
Here the cache is written whole or not at all (``newsarchive.site.atomic_write``), and one that
cannot be read is discarded with a one-line note, as every cache of this project is.

**Errors of the machine.** Pelican logs the error that stops it with its traceback; an
``OSError`` (a full disk, a folder it may not write) is logged as one line instead:
``no space left on device in <folder>``.
"""

from __future__ import annotations

import gzip
import logging
import pickle

from pelican import signals
from pelican.cache import FileDataCacher

from newsarchive.site.atomic_write import atomic_file
from newsarchive.site.faults import describe_os_error, note_discarded

log = logging.getLogger(__name__)

_pelicans_init = FileDataCacher.__init__


def _init(self, settings, cache_name, caching_policy, load_policy):
    """Pelican's, but a cache it cannot read and does not say so (EOFError...) is discarded."""
    try:
        _pelicans_init(self, settings, cache_name, caching_policy, load_policy)
    except (EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError) as error:
        note_discarded(self._cache_path, error)
        self._cache = {}


def _save_cache(self):
    """Pelican's ``save_cache``, writing the file whole or not at all."""
    if not self._cache_data_policy:
        return
    try:
        with atomic_file(self._cache_path) as file:
            if self.settings["GZIP_CACHE"]:
                with gzip.GzipFile(fileobj=file, mode="wb") as zipped:
                    pickle.dump(self._cache, zipped)
            else:
                pickle.dump(self._cache, file)
    except (OSError, pickle.PicklingError, TypeError) as err:  # as Pelican: the build goes on without
        log.warning("Could not save cache %s: %s", self._cache_path, err)


class _OneLineOSError(logging.Filter):
    """An OSError logged with its traceback becomes one line without, naming the output folder
    when the error names no file (a write that found the disk full)."""

    output: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, OSError):
            record.msg, record.args = describe_os_error(error, self.output), ()
            record.exc_info = record.exc_text = None
        return True


def _remember_output(pelican) -> None:
    """``initialized`` receiver."""
    _OneLineOSError.output = pelican.output_path


def register() -> None:
    """Patch Pelican's cache and its logger (idempotent)."""
    FileDataCacher.__init__ = _init
    FileDataCacher.save_cache = _save_cache
    pelican_log = logging.getLogger("pelican")
    if not any(isinstance(f, _OneLineOSError) for f in pelican_log.filters):
        pelican_log.addFilter(_OneLineOSError())
    signals.initialized.connect(_remember_output)
