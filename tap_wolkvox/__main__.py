"""``python -m tap_wolkvox`` runs the tap, as the ``tap-wolkvox`` command does."""

from tap_wolkvox.cli import main

main()
