print("log-publisher")
