#!/usr/bin/env bash
# tap-wolkvox without Meltano: discover, select streams, run into a target, keep the state.
# Usage: run.sh [config.json] [stream ...]   (streams default to interaction_transfers)
# Needs tap-wolkvox and target-jsonl on PATH, each in a venv of its own (target-jsonl pins
# jsonschema 2.6, which cannot share a venv with the tap's singer-sdk), for example:
#   python3 -m venv ~/venvs/tap-wolkvox && ~/venvs/tap-wolkvox/bin/pip install ./tap-wolkvox
#   python3 -m venv ~/venvs/target-jsonl && ~/venvs/target-jsonl/bin/pip install target-jsonl==0.1.4
#   PATH=~/venvs/tap-wolkvox/bin:~/venvs/target-jsonl/bin:$PATH
set -euo pipefail
config=${1:-config.json}
shift || true
streams=${*:-interaction_transfers}

# 1. The catalog: every stream the tap offers, with its schema and metadata.
tap-wolkvox --config "$config" --discover > catalog.json

# 2. Select streams: "selected": true in each stream's top-level metadata (breadcrumb []),
#    false for every other stream.
python3 - catalog.json $streams <<'PY'
import json, sys
path, wanted = sys.argv[1], set(sys.argv[2:])
with open(path) as f:
    catalog = json.load(f)
for stream in catalog["streams"]:
    for entry in stream["metadata"]:
        if entry["breadcrumb"] == []:
            entry["metadata"]["selected"] = stream["tap_stream_id"] in wanted
with open(path, "w") as f:
    json.dump(catalog, f, indent=2)
PY

# 3. Run. The first run has no state yet and starts at start_date; later runs resume from
#    state.json. The target writes output/<stream>-<time>.jsonl and prints each STATE it has
#    committed (after the rows before it are written).
mkdir -p output
echo '{"destination_path": "output"}' > target-config.json
state=()
if [ -s state.json ]; then state=(--state state.json); fi
tap-wolkvox --config "$config" --catalog catalog.json "${state[@]}" \
    | target-jsonl --config target-config.json > states.jsonl

# 4. Keep the last committed state for the next run (unchanged if this run emitted none).
if [ -s states.jsonl ]; then tail -n 1 states.jsonl > state.json; fi
