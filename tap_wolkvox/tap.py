"""tap-wolkvox: the Singer tap for the Wolkvox Reports Manager API."""

from __future__ import annotations

import sys
import typing as t
from functools import cached_property

import click
from singer_sdk import Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from typing_extensions import override

from tap_wolkvox.catalog import REPORTS
from tap_wolkvox.client import OneAtATimeSession
from tap_wolkvox.errors import WolkvoxError
from tap_wolkvox.settings import CONFIG_SCHEMA, OperationSettings, SettingsError, read_settings
from tap_wolkvox.streams import ReportStream, stream_for

if t.TYPE_CHECKING:
    import requests


class TapWolkvox(Tap):
    """Singer tap for the Wolkvox contact-center Reports Manager API."""

    name = "tap-wolkvox"
    config_jsonschema = CONFIG_SCHEMA
    # No BATCH: a STATE emitted per window must never run ahead of records still waiting in a
    # batch file, or a killed run would lose them.
    capabilities: t.ClassVar[list[CapabilitiesEnum]] = [
        capability for capability in Tap.capabilities if capability != PluginCapabilities.BATCH
    ]
    # msgspec writes Singer messages several times faster than the default JSON writer.
    message_writer_class = MsgSpecWriter

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Create the tap; with ``validate_config`` the settings are also checked together."""
        super().__init__(*args, **kwargs)
        if kwargs.get("validate_config", True):
            try:
                _ = self.settings
            except SettingsError as exc:
                raise ConfigValidationError(str(exc), errors=[str(exc)]) from None

    @cached_property
    def settings(self) -> OperationSettings:
        """The settings, read and checked against each other."""
        return read_settings(self.config)

    @cached_property
    def http_session(self) -> requests.Session:
        """One HTTP session for every stream: connections are reused, one request at a time."""
        return OneAtATimeSession()

    @override
    def discover_streams(self) -> list[ReportStream]:
        return [stream_for(self, report) for report in REPORTS]

    @classmethod
    @override
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        try:
            super().invoke(*args, **kwargs)
        except WolkvoxError as exc:
            # One plain sentence, no stack trace; the STATE emitted so far stays valid.
            cls.logger.error("%s", exc)  # noqa: TRY400
            sys.stdout.flush()
            raise click.exceptions.Exit(1) from None


if __name__ == "__main__":
    TapWolkvox.cli()
