"""Authentication: passwords, sessions, API tokens, PAM and SAML."""
