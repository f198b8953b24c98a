# bench/lib.sh - what the benchmark scripts share (sourced; they set OUT first).

free_port() { # a port nothing on 127.0.0.1 answers on
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "bench: no free port found" >&2; return 1
}

wait_up() { # URL PID NAME
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || { echo "bench: $3 exited at start (see $OUT)" >&2; exit 1; }
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "bench: $3 did not answer at $1" >&2; exit 1
}
