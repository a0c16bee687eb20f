"""Identity: organisations, users and API keys; who is calling and on behalf of which tenant."""
