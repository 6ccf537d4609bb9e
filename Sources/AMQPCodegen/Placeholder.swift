// AMQPCodegen
