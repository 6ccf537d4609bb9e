print("file-producer")
