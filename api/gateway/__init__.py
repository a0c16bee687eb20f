"""The webhook API for integrators: outbound subscriptions and deliveries, inbound events."""
