print("goodbye-consumer")
