#!/usr/bin/env bash
# Is each workspace crate's declared `rust-version` true? Other toolchains
# cannot be installed everywhere CI runs, so this compares the declaration
# with the highest `rust-version` among the locked dependencies a crate
# builds with: its normal and build dependencies, transitively, with every
# feature on (an optional dependency behind a feature counts), on every
# target platform. Dev-dependencies do not count: they build only the
# crate's own tests, benches and examples.
#
# Fails when a crate declares less than a dependency needs. Needs python3
# (or jq) besides cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

meta="$(cargo metadata --format-version 1 --locked --all-features)"

if command -v python3 >/dev/null; then
  python3 -c "$(cat <<'PY'
import json, sys

meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
deps = {
    n["id"]: [
        d["pkg"]
        for d in n["deps"]
        if any(k["kind"] in (None, "build") for k in d["dep_kinds"])
    ]
    for n in meta["resolve"]["nodes"]
}

def version(text):
    parts = [int(x) for x in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

failed = False
for member in meta["workspace_members"]:
    crate = packages[member]
    seen, todo = set(), list(deps[member])
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(deps.get(p, []))
    needs = [(version(packages[p]["rust_version"]), packages[p]) for p in seen if packages[p]["rust_version"]]
    highest, by = max(needs, key=lambda t: t[0], default=((0, 0, 0), None))
    declared = crate["rust_version"]
    what = f"{by['name']} {by['version']} needs {by['rust_version']}" if by else "no dependency declares one"
    if declared is None:
        print(f"FAIL {crate['name']}: no rust-version declared ({what})")
        failed = True
    elif version(declared) < highest:
        print(f"FAIL {crate['name']}: rust-version {declared} is not true: {what}")
        failed = True
    else:
        print(f"{crate['name']}: rust-version {declared}; highest among its dependencies: {what}")
sys.exit(1 if failed else 0)
PY
)" <<<"$meta"
elif command -v jq >/dev/null; then
  out="$(jq -r '
    def version: split(".") | map(tonumber) | . + [0, 0, 0] | .[0:3];
    (.packages | map({key: .id, value: .}) | from_entries) as $pkgs
    | (.resolve.nodes
        | map({key: .id, value: [.deps[] | select(any(.dep_kinds[]; .kind == null or .kind == "build")) | .pkg]})
        | from_entries) as $deps
    | .workspace_members[] as $m
    | $pkgs[$m] as $crate
    | {seen: [], todo: $deps[$m]}
    | until(.todo | length == 0;
        (.todo - .seen | unique) as $new
        | {seen: (.seen + $new), todo: ($new | map($deps[.] // []) | add // [])})
    | [.seen[] | $pkgs[.] | select(.rust_version != null)]
    | (max_by(.rust_version | version)) as $by
    | if $crate.rust_version == null then "FAIL \($crate.name): no rust-version declared"
      elif $by != null and ($crate.rust_version | version) < ($by.rust_version | version)
      then "FAIL \($crate.name): rust-version \($crate.rust_version) is not true: \($by.name) \($by.version) needs \($by.rust_version)"
      else "\($crate.name): rust-version \($crate.rust_version); highest among its dependencies: \(if $by then "\($by.name) \($by.version) needs \($by.rust_version)" else "none" end)"
      end
  ' <<<"$meta")"
  echo "$out"
  ! grep -q '^FAIL' <<<"$out"
else
  echo "the rust-version check needs python3 or jq"
  exit 1
fi
