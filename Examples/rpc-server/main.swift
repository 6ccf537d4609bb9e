print("rpc-server")
