print("amqp-codegen")
