print("rpc-client")
