#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, seeded from the
# golden files. Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
#   bash fuzz/run.sh 600
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
mkdir -p corpus/event_json corpus/calendar_json corpus/survey_json corpus/command_json corpus/desk_ops corpus/email_parse
cp ../tests/golden/events/*.json corpus/event_json/
cp ../tests/golden/calendar.json corpus/calendar_json/
cp ../tests/golden/survey.json corpus/survey_json/
cp ../email/tests/corpus/*.eml corpus/email_parse/
for t in event_json command_json calendar_json survey_json desk_ops email_parse; do
  echo "== $t for ${secs}s"
  cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -max_len=4096 2>&1 | tail -n 4
done
