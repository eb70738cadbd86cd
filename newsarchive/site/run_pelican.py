"""``python -m newsarchive.site.run_pelican ARGS``: Pelican's own command line, minus its spinner.

``python -m pelican`` runs the build inside a "Generating..." status line that a thread redraws,
and the build forks its page writer while Pelican runs (``plugins/archive_core``): a child forked
beside a running thread can inherit a lock that thread held and wait on it forever. This runs
what ``pelican.main`` runs for a one-off build — the same arguments, logging and errors — with
no such thread.
"""

from __future__ import annotations

import logging
import sys

from pelican import LOG_HANDLERS, get_instance, init_logging, parse_arguments

logger = logging.getLogger("pelican")


def main(argv: list[str] | None = None) -> int:
    """Build once as ``pelican ARGS`` would (no autoreload, no server). Returns 0, or 1 on an
    error (logged as Pelican logs it), 130 when interrupted."""
    args = parse_arguments(argv)
    init_logging(
        level=args.verbosity,
        fatal=args.fatal,
        name="pelican",
        handler=LOG_HANDLERS[args.log_handler],
        logs_dedup_min_level=getattr(logging, args.logs_dedup_min_level),
    )
    try:
        site, _ = get_instance(args)
        site.run()
    except KeyboardInterrupt:
        logger.warning("Keyboard interrupt received. Exiting.")
        return 130
    except Exception as e:
        logger.critical("%s: %s", e.__class__.__name__, e, exc_info=True)
        return getattr(e, "exitcode", 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
