"""amqp-tools (rabbitmq-c, Debian's amqp-tools package) round trip:

  amqp-declare-queue --url URL -q Q            -> prints Q
  amqp-publish --url URL -e '' -r Q -b BODY    (x2)
  amqp-get --url URL -q Q                      -> prints the first body
  amqp-consume --url URL -q Q -c 1 cat         -> runs `cat` with the second body on stdin
  amqp-get on the now empty queue              -> exit status 2, no output
  amqp-declare-queue -q ''                     -> prints a server-generated name
  amqp-delete-queue --url URL -q Q             (cleanup)

URL: rabbitmq-c reads amqp://host:5672/ as vhost "" (RabbitMQ: 530 NOT_ALLOWED), so the
bare trailing "/" is dropped, which gives rabbitmq-c its default vhost "/".
"""

import shutil
import subprocess

import common
from common import check, check_eq, step

TOOLS = ["amqp-declare-queue", "amqp-publish", "amqp-get", "amqp-consume", "amqp-delete-queue"]


def tool(*args, expect=0, stdin=None, timeout=20):
    try:
        p = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL if stdin is None else None, input=stdin)
    except subprocess.TimeoutExpired as e:
        raise common.ScenarioFailure("%s did not finish within %ds; stdout %r stderr %r"
                                     % (" ".join(args), timeout, e.stdout, e.stderr))
    if p.returncode != expect:
        raise common.ScenarioFailure("%s exited %d (expected %d); stdout %r stderr %r"
                                     % (" ".join(args), p.returncode, expect, p.stdout, p.stderr))
    return p.stdout


def scenario():
    for t in TOOLS:
        check(shutil.which(t) is not None, "%s is not installed (apt-get install amqp-tools)" % t)
    url = common.amqp_tools_url()
    q = common.unique("amqptools")

    out = tool("amqp-declare-queue", "--url", url, "-q", q)
    check_eq(out.strip(), q, "amqp-declare-queue output")
    step("amqp-declare-queue printed %s" % q)

    body1 = "hello from amqp-publish " + q
    body2 = "second body\nwith a newline"
    tool("amqp-publish", "--url", url, "-e", "", "-r", q, "-b", body1)
    tool("amqp-publish", "--url", url, "-e", "", "-r", q, "-b", body2)
    step("amqp-publish sent 2 messages")

    # Cross-check with pika that both are there.
    conn = common.connect()
    ch = conn.channel()
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 2, "messages in the queue (pika)")

    out = tool("amqp-get", "--url", url, "-q", q)
    check_eq(out, body1, "amqp-get output")
    step("amqp-get printed the first body")

    out = tool("amqp-consume", "--url", url, "-q", q, "-c", "1", "cat")
    check_eq(out, body2, "amqp-consume ... cat output")
    step("amqp-consume -c 1 cat printed the second body")

    out = tool("amqp-get", "--url", url, "-q", q, expect=2)
    check_eq(out, "", "amqp-get output on an empty queue")
    check_eq(ch.queue_declare(q, passive=True).method.message_count, 0, "queue after amqp-get/consume")
    step("amqp-get on the empty queue exits 2")

    generated = tool("amqp-declare-queue", "--url", url, "-q", "").strip()
    check(generated.startswith("amq.gen-"), "server-named queue from amqp-declare-queue: %r" % generated)
    ch.queue_declare(generated, passive=True)

    # An amqp-publish into the queue is consumable by pika with its properties intact.
    tool("amqp-publish", "--url", url, "-e", "", "-r", q, "-C", "text/plain", "-b", "typed")
    method, props, body = ch.basic_get(q, auto_ack=True)
    check(method is not None, "pika basic.get of the amqp-publish message")
    check_eq((body, props.content_type), (b"typed", "text/plain"), "body and content type")

    tool("amqp-delete-queue", "--url", url, "-q", q)
    tool("amqp-delete-queue", "--url", url, "-q", generated)
    common.expect_channel_closed(404, "passive declare after amqp-delete-queue",
                                 lambda: ch.queue_declare(q, passive=True))
    conn.close()

    # With the URL as given (trailing "/"), rabbitmq-c asks for vhost "", which the broker
    # must refuse at connection.open, with a non-zero exit.
    raw = common.amqp_url()
    if raw.endswith("/") and raw.count("/") == 3:
        p = subprocess.run(["amqp-declare-queue", "--url", raw, "-q", q],
                           capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
        check(p.returncode != 0, "vhost '' should be refused; amqp-declare-queue exited 0: %r" % p.stdout)
        check("530" in p.stderr, "refusal of vhost '' should be 530 NOT_ALLOWED: %r" % p.stderr)
        step("vhost '' refused: %s" % p.stderr.strip())


if __name__ == "__main__":
    common.run("amqp_tools", scenario)
