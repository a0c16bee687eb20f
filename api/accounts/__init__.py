"""Accounts: organisations and the people in them, invitations, sign-up with e-mail
verification, password resets, single sign-on; the admin API and the self-service pages."""
