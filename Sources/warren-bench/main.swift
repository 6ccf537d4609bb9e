print("warren-bench")
