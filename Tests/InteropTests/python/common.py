"""Shared helpers for the interop scenarios.

Every scenario:
  * reads the broker URL from AMQP_URL (e.g. amqp://guest:guest@127.0.0.1:5672/),
  * uses unique names (random suffix) so concurrent runs never collide,
  * is bounded in time: socket/blocking timeouts on every connection plus a hard
    watchdog that dumps all thread stacks and exits non-zero if the scenario overruns,
  * exits 0 on success and non-zero with a clear message on failure.
"""

import faulthandler
import os
import queue
import subprocess
import threading
import sys
import time
import traceback
import uuid
from urllib.parse import urlsplit, urlunsplit

import pika

# Per-operation timeouts (seconds). Generous enough for a loaded 2-core box, small
# enough that a broken broker fails fast.
SOCKET_TIMEOUT = 10.0
OP_TIMEOUT = 10.0


class ScenarioFailure(Exception):
    """Raised by check(); turned into a clear message and exit status 1 by run()."""


def amqp_url():
    url = os.environ.get("AMQP_URL", "").strip()
    if not url:
        print("FAIL: AMQP_URL is not set (e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672/)",
              file=sys.stderr)
        sys.exit(2)
    return url


def amqp_tools_url():
    """The same broker as a URL for rabbitmq-c's amqp-tools.

    rabbitmq-c follows the AMQP URI spec literally: amqp://host:5672/ means the vhost ""
    (empty), which RabbitMQ refuses with 530 NOT_ALLOWED "vhost  not found", whereas pika
    maps a bare "/" path to the default vhost "/". Dropping a bare trailing "/" gives
    rabbitmq-c its default vhost "/" as well.
    """
    parts = urlsplit(amqp_url())
    path = parts.path
    if path == "/":
        path = ""
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def unique(prefix):
    return "interop.%s.%s" % (prefix, uuid.uuid4().hex[:12])


def check(condition, message):
    if not condition:
        raise ScenarioFailure(message)


def check_eq(actual, expected, what):
    if actual != expected:
        raise ScenarioFailure("%s: expected %r, got %r" % (what, expected, actual))


def params():
    p = pika.URLParameters(amqp_url())
    p.socket_timeout = SOCKET_TIMEOUT
    p.stack_timeout = SOCKET_TIMEOUT
    p.blocked_connection_timeout = SOCKET_TIMEOUT
    p.connection_attempts = 1
    return p


def connect():
    """A pika BlockingConnection with timeouts on connect and on blocked publishes."""
    return pika.BlockingConnection(params())


def close_quietly(conn):
    try:
        if conn is not None and conn.is_open:
            conn.close()
    except Exception:
        pass


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def remaining(self):
        return max(0.0, self.end - time.monotonic())

    def expired(self):
        return time.monotonic() >= self.end


def step(message):
    print("  - " + message, flush=True)


def drain_get(channel, queue, limit=10000, auto_ack=True):
    """basic.get until get-empty; returns [(method, properties, body)]."""
    out = []
    for _ in range(limit):
        method, props, body = channel.basic_get(queue, auto_ack=auto_ack)
        if method is None:
            return out
        out.append((method, props, body))
    raise ScenarioFailure("queue %s did not run empty after %d messages" % (queue, limit))


REPLY_NAMES = {
    312: "NO_ROUTE", 403: "ACCESS_REFUSED", 404: "NOT_FOUND", 405: "RESOURCE_LOCKED",
    406: "PRECONDITION_FAILED", 320: "CONNECTION_FORCED", 402: "INVALID_PATH",
    501: "FRAME_ERROR", 502: "SYNTAX_ERROR", 503: "COMMAND_INVALID", 504: "CHANNEL_ERROR",
    505: "UNEXPECTED_FRAME", 506: "RESOURCE_ERROR", 530: "NOT_ALLOWED", 540: "NOT_IMPLEMENTED",
    541: "INTERNAL_ERROR",
}


def expect_channel_closed(code, what, fn):
    """Runs fn, which must make the broker close the channel with `code`.

    Returns the pika.exceptions.ChannelClosedByBroker that the client surfaced.
    """
    try:
        fn()
    except pika.exceptions.ChannelClosedByBroker as e:
        if e.reply_code != code:
            raise ScenarioFailure("%s: expected channel.close %d, got %d %r"
                                  % (what, code, e.reply_code, e.reply_text))
        # RabbitMQ's reply texts always start with the reply code's name.
        prefix = REPLY_NAMES[code] + " - "
        if not e.reply_text.startswith(prefix):
            raise ScenarioFailure("%s: reply text should start with %r: %r" % (what, prefix, e.reply_text))
        step("%s -> ChannelClosedByBroker(%d, %r)" % (what, e.reply_code, e.reply_text))
        return e
    except Exception as e:
        raise ScenarioFailure("%s: expected ChannelClosedByBroker(%d), got %s: %s"
                              % (what, code, type(e).__name__, e))
    raise ScenarioFailure("%s: expected ChannelClosedByBroker(%d), but it succeeded" % (what, code))


class Child:
    """A helper subprocess (another client, on its own connection) whose stdout lines
    are collected by a reader thread, so the parent can wait for them with timeouts."""

    def __init__(self, label, argv):
        self.label = label
        self.lines = []
        self._queue = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-u"] + argv,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self._stderr = []
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self):
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def _read_err(self):
        for line in self.proc.stderr:
            self._stderr.append(line)

    def stderr(self):
        return "".join(self._stderr)

    def next_line(self, timeout):
        """The next stdout line, or None at EOF; ScenarioFailure on timeout."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise ScenarioFailure("%s: no output within %.0fs; so far %r; stderr: %s"
                                  % (self.label, timeout, self.lines, self.stderr()))
        if line is not None:
            self.lines.append(line)
        return line

    def poll_line(self, timeout):
        """The next stdout line within timeout, or None (also at EOF)."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self._queue.put(None)  # keep EOF visible to later calls
            return None
        self.lines.append(line)
        return line

    def wait_for(self, wanted, timeout):
        deadline = Deadline(timeout)
        while True:
            line = self.next_line(deadline.remaining())
            if line is None:
                raise ScenarioFailure("%s exited (status %s) before printing %r; output %r; stderr: %s"
                                      % (self.label, self.proc.wait(5), wanted, self.lines, self.stderr()))
            if line == wanted:
                return

    def finish(self, timeout):
        """Waits for exit; returns all stdout lines. Fails if it overruns or exits non-zero."""
        deadline = Deadline(timeout)
        while self.next_line(max(0.01, deadline.remaining())) is not None:
            pass
        try:
            status = self.proc.wait(max(0.01, deadline.remaining()))
        except subprocess.TimeoutExpired:
            self.kill()
            raise ScenarioFailure("%s did not exit within %.0fs; output %r; stderr: %s"
                                  % (self.label, timeout, self.lines, self.stderr()))
        time.sleep(0.05)  # let the stderr reader catch up
        if status != 0:
            raise ScenarioFailure("%s exited with status %d; output %r; stderr: %s"
                                  % (self.label, status, self.lines, self.stderr()))
        return self.lines

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass


def run(name, body, timeout=60.0):
    """Runs body() under a hard watchdog; exits 0 on success, 1 on failure."""
    # pika's blocking calls have no per-call timeout, so a broker that stops answering
    # would hang us: past the deadline, say so, dump every thread's stack and exit(1).
    def overrun():
        print("FAIL %s: timed out after %.0fs (broker stopped answering?); stacks follow"
              % (name, timeout), file=sys.stderr, flush=True)
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    watchdog = threading.Timer(timeout, overrun)
    watchdog.daemon = True
    watchdog.start()
    faulthandler.dump_traceback_later(timeout + 5, exit=True)  # backstop if the timer cannot run
    started = time.monotonic()
    print("scenario %s against %s" % (name, _redacted(amqp_url())), flush=True)
    try:
        body()
    except ScenarioFailure as e:
        print("FAIL %s: %s" % (name, e), file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(1)
    except BaseException as e:  # noqa: BLE001 - any surprise is a failure with a trace
        traceback.print_exc()
        print("FAIL %s: unexpected %s: %s" % (name, type(e).__name__, e), file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(1)
    watchdog.cancel()
    faulthandler.cancel_dump_traceback_later()
    print("PASS %s (%.1fs)" % (name, time.monotonic() - started), flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit so that a stray non-daemon thread can never keep the process alive.
    os._exit(0)


def _redacted(url):
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
