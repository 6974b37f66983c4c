"""The pipeline's services. Each one runs as its own worker and talks to the others only via Kafka."""
