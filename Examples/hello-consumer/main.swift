print("hello-consumer")
