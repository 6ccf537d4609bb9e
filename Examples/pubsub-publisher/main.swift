print("pubsub-publisher")
