"""publisher confirms with aio-pika's default channel (publisher_confirms=True):

  * many concurrent publishes, every one confirmed with Basic.Ack, all in the queue;
  * mandatory publish to an unroutable key on the default channel: the broker's
    basic.return (312 NO_ROUTE) reaches channel.return_callbacks and publish() returns
    the returned message instead of an Ack;
  * the same on a channel opened with on_return_raises=True raises
    aio_pika.exceptions.DeliveryError (PublishError) carrying the 312 NO_ROUTE return.
"""

import asyncio

import aio_pika
import aiormq

import common
from common import check, check_eq, step

N = 1000


async def main():
    connection = await asyncio.wait_for(
        aio_pika.connect(common.amqp_url(), timeout=common.SOCKET_TIMEOUT), common.OP_TIMEOUT)
    async with connection:
        channel = await connection.channel()  # publisher_confirms=True by default
        check(channel.publisher_confirms, "aio-pika's default channel should use publisher confirms")
        qname = common.unique("confirms.aio")
        queue = await channel.declare_queue(qname, exclusive=True, timeout=common.OP_TIMEOUT)
        exchange = channel.default_exchange

        results = await asyncio.wait_for(asyncio.gather(*[
            exchange.publish(aio_pika.Message(body=("m%d" % i).encode()), routing_key=qname)
            for i in range(N)]), 60)
        acks = sum(1 for r in results if isinstance(r, aiormq.spec.Basic.Ack))
        check_eq(acks, N, "publishes confirmed with Basic.Ack")
        declared = await channel.declare_queue(qname, passive=True, timeout=common.OP_TIMEOUT)
        check_eq(declared.declaration_result.message_count, N, "messages in the queue")
        step("%d concurrent publishes all acked; %d in the queue" % (N, N))

        # Default channel: the return goes to the return callbacks and is publish()'s result.
        returned = []
        channel.return_callbacks.add(lambda _channel, message: returned.append(message))
        missing = common.unique("confirms.nowhere")
        result = await asyncio.wait_for(
            exchange.publish(aio_pika.Message(body=b"unroutable"), routing_key=missing, mandatory=True),
            common.OP_TIMEOUT)
        check(not isinstance(result, aiormq.spec.Basic.Ack),
              "a mandatory unroutable publish must not simply be acked, got %r" % (result,))
        delivery = getattr(result, "delivery", None)
        check(isinstance(delivery, aiormq.spec.Basic.Return),
              "publish() should return the returned message, got %r" % (result,))
        check_eq((delivery.reply_code, delivery.reply_text, delivery.routing_key),
                 (312, "NO_ROUTE", missing), "basic.return (default channel)")
        for _ in range(50):
            if returned:
                break
            await asyncio.sleep(0.02)
        check_eq(len(returned), 1, "messages passed to channel.return_callbacks")
        check_eq(returned[0].body, b"unroutable", "returned body")
        step("default channel: mandatory unroutable -> basic.return 312 NO_ROUTE via return_callbacks")

        # on_return_raises=True: DeliveryError (PublishError).
        raising = await connection.channel(on_return_raises=True)
        try:
            await asyncio.wait_for(
                raising.default_exchange.publish(aio_pika.Message(body=b"unroutable"),
                                                 routing_key=missing, mandatory=True),
                common.OP_TIMEOUT)
        except aio_pika.exceptions.DeliveryError as e:
            message = getattr(e, "message", None)
            delivery = getattr(message, "delivery", None)
            check(isinstance(delivery, aiormq.spec.Basic.Return), "DeliveryError without basic.return: %r" % e)
            check_eq((delivery.reply_code, delivery.reply_text), (312, "NO_ROUTE"),
                     "basic.return in DeliveryError")
            step("on_return_raises=True: %s(%r)" % (type(e).__name__, str(e)))
        else:
            raise common.ScenarioFailure("on_return_raises=True: unroutable mandatory publish did not raise")
        check(not raising.is_closed, "a returned message must not close the channel")

        # Both channels still work.
        for ch in (channel, raising):
            r = await asyncio.wait_for(
                ch.default_exchange.publish(aio_pika.Message(body=b"after"), routing_key=qname),
                common.OP_TIMEOUT)
            check(isinstance(r, aiormq.spec.Basic.Ack), "publish after return should be acked: %r" % (r,))
        declared = await channel.declare_queue(qname, passive=True, timeout=common.OP_TIMEOUT)
        check_eq(declared.declaration_result.message_count, N + 2, "messages in the queue at the end")
        await queue.delete(if_unused=False, if_empty=False, timeout=common.OP_TIMEOUT)


def scenario():
    asyncio.run(asyncio.wait_for(main(), 80))


if __name__ == "__main__":
    common.run("confirms_aio", scenario, timeout=90)
