"""The tap's streams: an HTTP part shared by all, the report and information.php streams."""
