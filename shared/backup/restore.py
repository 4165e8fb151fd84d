"""`make restore BACKUP=<key> [TARGET_DATABASE_URL=...]`: restore a nightly backup."""

import argparse
import logging

from sqlalchemy.engine import make_url

from shared.backup.service import restore
from shared.config import get_settings

logger = logging.getLogger(__name__)


def main() -> None:
    """The `make restore` command: restore a backup into a database, its checksum checked first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("key", help="S3 key of the backup, as recorded in the backups table")
    parser.add_argument(
        "--target",
        help="database URL to restore into (default: the configured database + _restore)",
    )
    parser.add_argument(
        "--unanchored",
        action="store_true",
        help="a backup made before chain heads were stored: check its audit chains alone",
    )
    args = parser.parse_args()
    configured = make_url(get_settings().database_url)
    target = args.target or configured.set(
        database=f"{configured.database}_restore"
    ).render_as_string(hide_password=False)
    logging.basicConfig(level=logging.INFO)
    checked = restore(args.key, target, unanchored=args.unanchored)
    logger.info(
        "restored %s; audit chains verified (%d rows)%s",
        args.key,
        checked.rows_checked,
        "" if args.unanchored else " up to the backup's heads",
    )


if __name__ == "__main__":
    main()
