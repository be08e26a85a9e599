# A throwaway SMTP server for the `fanatical-email` tests.
# Sourced by .ci/run (bash); also usable by hand:
#
#   source .ci/smtp.sh && smtp_start && trap smtp_stop EXIT
#
# smtp_start finds a Python with aiosmtpd (Debian's python3-aiosmtpd:
# a real SMTP server that stores each mail it accepts in a Maildir),
# installs it with apt when missing, runs it on a free localhost port with
# its Maildir in a fresh `mktemp -d` directory, and exports
# FANATICAL_SMTP_ADDR (host:port), FANATICAL_SMTP_MAILDIR and
# FANATICAL_REQUIRE_SMTP=1 (so the tests fail rather than skip when the
# server is gone). smtp_stop stops the server and removes the directory.

SMTP_TMP=""
SMTP_PID=""
SMTP_PY=""

smtp_find() {
  local py
  # The distribution's Python first: the package installs there, and a
  # Python on PATH (pyenv, a venv) may not see it.
  for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import aiosmtpd' >/dev/null 2>&1; then
      SMTP_PY="$py"
      return 0
    fi
  done
  return 1
}

smtp_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "aiosmtpd was not found and apt-get is not here to install it:"
    echo "install python3-aiosmtpd (or pip install aiosmtpd)"
    return 1
  fi
  echo "installing the distribution's SMTP test server (apt-get install python3-aiosmtpd)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || { echo "apt-get update failed"; return 1; }
  apt-get install -y -qq --no-install-recommends python3-aiosmtpd >/dev/null \
    || { echo "apt-get install python3-aiosmtpd failed"; return 1; }
}

smtp_start() {
  local port tries waited
  if ! smtp_find; then
    smtp_install || return 1
    smtp_find || { echo "python3-aiosmtpd was installed but does not import"; return 1; }
  fi
  SMTP_TMP="$(mktemp -d "${TMPDIR:-/tmp}/fanatical-smtp.XXXXXX")"
  for tries in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 30000))
    # A port something already answers on is not ours to probe.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    "$SMTP_PY" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$SMTP_TMP/maildir" \
      >"$SMTP_TMP/server.log" 2>&1 &
    SMTP_PID=$!
    # Up when the port answers; a taken port makes the server exit.
    for waited in $(seq 1 50); do
      if ! kill -0 "$SMTP_PID" 2>/dev/null; then
        break
      fi
      # Answering, and our server still running (one that lost the port
      # to another process exits).
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && sleep 0.2 \
        && kill -0 "$SMTP_PID" 2>/dev/null; then
        export FANATICAL_SMTP_ADDR="127.0.0.1:$port"
        export FANATICAL_SMTP_MAILDIR="$SMTP_TMP/maildir"
        export FANATICAL_REQUIRE_SMTP=1
        echo "SMTP server (aiosmtpd $("$SMTP_PY" -c 'import aiosmtpd; print(aiosmtpd.__version__)')) on $FANATICAL_SMTP_ADDR, mail in $FANATICAL_SMTP_MAILDIR"
        return 0
      fi
      sleep 0.1
    done
    kill "$SMTP_PID" 2>/dev/null || true
    wait "$SMTP_PID" 2>/dev/null || true
    SMTP_PID=""
  done
  echo "the SMTP server did not start:"
  tail -n 20 "$SMTP_TMP/server.log"
  return 1
}

smtp_stop() {
  if [ -n "$SMTP_PID" ]; then
    kill "$SMTP_PID" 2>/dev/null || true
    wait "$SMTP_PID" 2>/dev/null || true
    SMTP_PID=""
  fi
  if [ -n "$SMTP_TMP" ] && [ -d "$SMTP_TMP" ]; then
    rm -rf "$SMTP_TMP"
    SMTP_TMP=""
  fi
}
