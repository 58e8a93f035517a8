"""The operation's clock: wall-clock strings and UTC instants, windows, the late-row margin."""
