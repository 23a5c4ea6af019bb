#!/usr/bin/env bash
# Coverage-guided fuzzing with SharpFuzz + AFL++ (docs/fuzzing.md).
#
#   run-fuzz.sh [-d SECONDS] [-t TARGET]... [--smoke] [--minimize] [--seeds]
#
#   -d SECONDS   time per target (default 120)
#   -t TARGET    fuzz only this target (repeatable; default: every target, one after the other)
#   --smoke      CI mode: 4 seconds per target (FUZZ_SMOKE_SECONDS); fails (exit 1) when any target crashes or hangs
#
# FUZZ_BUDGET=SECONDS bounds the whole loop: each target gets at most its share of what is left (a target the budget
# cannot reach any more is reported as not run and fails the run). FUZZ_SKIP_BUILD=1 reuses the published harness.
#   --minimize   afl-cmin each target's queue into corpus/<target>/min-* after the run (the seeds stay)
#   --seeds      regenerate corpus/ from the seed generator and the text seeds, then exit
#
# Per target it prints executions, corpus size (paths), bitmap coverage, crashes and hangs, and writes the same as
# TSV to $FUZZ_RESULTS (default artifacts/fuzz/results.tsv). Crashing and hanging inputs are copied into
# regressions/<target>/ (the corpus replay test runs them in the normal suite).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

duration=120
smoke=0
minimize=0
seeds=0
targets=()
while (($#)); do
  case "$1" in
    -d) duration=$2; shift 2 ;;
    -t) targets+=("$2"); shift 2 ;;
    --smoke) smoke=1; shift ;;
    --minimize) minimize=1; shift ;;
    --seeds) seeds=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if ((smoke)); then duration=${FUZZ_SMOKE_SECONDS:-4}; fi
budget=${FUZZ_BUDGET:-0}

work=${FUZZ_WORK:-$root/artifacts/fuzz}
out="$work/bin"
results=${FUZZ_RESULTS:-$work/results.tsv}
tools="$root/artifacts/tools"
mkdir -p "$work"

# 1. Build the harness into its own folder and instrument the assemblies under test there (never the normal build).
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  dotnet publish tests/Kvs.WebRtc.Fuzz/Kvs.WebRtc.Fuzz.csproj -c Release -o "$out" -nologo -clp:ErrorsOnly >/dev/null
fi
harness="$out/Kvs.WebRtc.Fuzz.dll"

if ((seeds)); then
  tmp=$(mktemp -d)
  dotnet "$harness" seeds "$tmp"
  python3 "$here/seeds/text-seeds.py" "$root" "${KVS_SHARED_DIR:-$root/../shared}/testdata" "$tmp"
  cp -r "$tmp"/. "$here/corpus/"
  rm -rf "$tmp"
  echo "corpus regenerated under $here/corpus"
  exit 0
fi

if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found (Debian package afl++)" >&2; exit 2; }
dotnet=$(command -v dotnet)  # afl-cmin wants a path, not a name
for assembly in Kvs.WebRtc.PeerConnection Kvs.WebRtc.Signaling Kvs.WebRtc.Emulator; do
  "$tools/sharpfuzz" "$out/$assembly.dll" >"$work/instrument.log" 2>&1 \
    || grep -q "already instrumented" "$work/instrument.log" || { cat "$work/instrument.log" >&2; exit 2; }
done

((${#targets[@]})) || mapfile -t targets < <(dotnet "$harness" list | cut -f1)

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
  AFL_NO_AFFINITY=1 AFL_SHUFFLE_QUEUE=0 AFL_FAST_CAL=1 AFL_QUIET=1 AFL_NO_CRASH_README=1 AFL_CMPLOG_ONLY_NEW=1
afl_stat() { { sed -n "s/^$1 *: *//p" "$2" 2>/dev/null || true; } | head -1; }

printf 'target\texecs\texecs_per_sec\tpaths\tbitmap_cvg\tcrashes\thangs\n' > "$results"
printf '%-26s %10s %8s %7s %10s %8s %6s\n' target execs exec/s paths bitmap crashes hangs
failed=0
start=$SECONDS
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  run="$work/runs/$t"
  d=$duration
  if ((budget > 0)); then
    # About 4 s of each target's share go to start-up and calibrating the seeds.
    share=$(( (budget - (SECONDS - start)) / (${#targets[@]} - i) - 4 ))
    ((share < d)) && d=$share
    if ((d < 1)); then
      printf '%s\t0\t0\t0\t0\tnot-run\tnot-run\n' "$t" >> "$results"
      echo "$t: not run, the fuzz budget of ${budget} s is spent" >&2
      failed=1
      continue
    fi
  fi
  rm -rf "$run"
  mkdir -p "$work/runs"
  # -t: per-execution timeout in ms (a hang); -m none: .NET reserves more virtual memory than AFL's default limit.
  timeout --kill-after=10 $((d + 30)) \
    afl-fuzz -i "$here/corpus/$t" -o "$run" -t 5000 -m none -V "$d" -- "$dotnet" "$harness" "$t" \
    >"$work/$t.log" 2>&1 || true
  stats="$run/default/fuzzer_stats"
  execs=$(afl_stat execs_done "$stats"); rate=$(afl_stat execs_per_sec "$stats"); paths=$(afl_stat corpus_count "$stats")
  cvg=$(afl_stat bitmap_cvg "$stats"); crashes=$(afl_stat saved_crashes "$stats"); hangs=$(afl_stat saved_hangs "$stats")
  if [ -z "$execs" ]; then
    echo "$t: afl-fuzz did not start, see $work/$t.log" >&2
    tail -5 "$work/$t.log" >&2 || true
    execs=0 crashes=error hangs=error
    failed=1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$execs" "${rate:-0}" "${paths:-0}" "${cvg:-0}" "$crashes" "$hangs" >> "$results"
  printf '%-26s %10s %8s %7s %10s %8s %6s\n' "$t" "$execs" "${rate:-0}" "${paths:-0}" "${cvg:-0}" "$crashes" "$hangs"
  for kind in crashes hangs; do
    for f in "$run"/default/"$kind"/id:*; do
      [ -e "$f" ] || continue
      mkdir -p "$here/regressions/$t"
      cp "$f" "$here/regressions/$t/${kind%es}-$(sha256sum "$f" | cut -c1-16)"
      failed=1
    done
  done
  if ((minimize)) && [ -d "$run/default/queue" ]; then
    # afl-cmin refuses to work under /tmp; AFL's queue entries get content-hash names like the seeds.
    min="$work/cmin/$t"
    rm -rf "$min"
    mkdir -p "$work/cmin"
    if afl-cmin -i "$run/default/queue" -o "$min" -t 5000 -m none -- "$dotnet" "$harness" "$t" >"$work/$t.cmin.log" 2>&1; then
      # The original seeds (gen-*, txt-*) stay; the reduction replaces the earlier min-* files.
      rm -f "$here/corpus/$t"/min-*
      mkdir -p "$here/corpus/$t"
      seeds=$(for f in "$here/corpus/$t"/*; do [ ! -e "$f" ] || sha256sum < "$f"; done)
      for f in "$min"/*; do
        sum=$(sha256sum < "$f")
        grep -qF "$sum" <<<"$seeds" || cp "$f" "$here/corpus/$t/min-${sum:0:16}"
      done
    else
      echo "$t: afl-cmin failed, corpus kept (see $work/$t.cmin.log)" >&2
    fi
  fi
done

if ((failed)); then
  echo "fuzzing found crashes or hangs (copied to tests/Kvs.WebRtc.Fuzz/regressions/), or a target did not start" >&2
  exit 1
fi
