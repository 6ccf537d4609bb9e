print("log-consumer")
