"""``python -m robust_import_app``: the command line (:mod:`robust_import_app.cli`)."""

from robust_import_app import cli

raise SystemExit(cli.main())
