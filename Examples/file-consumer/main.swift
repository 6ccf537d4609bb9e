print("file-consumer")
