print("task-publisher")
