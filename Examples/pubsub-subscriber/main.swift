print("pubsub-subscriber")
