print("hello-producer")
