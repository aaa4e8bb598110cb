"""SAML single sign-on, one service provider per tenant, through python3-saml (OneLogin).

toolkit.py   the SP's URLs and the python3-saml settings built from a tenant's SamlSettings
certificates.py   parsing and checking the IdP's signing certificate
settings.py  samlSettings / updateSamlSettings (superusers)
relay.py     where the browser may go after signing in (our own URLs only)
accounts.py  who a valid assertion signs in
flow.py      the login redirect and the assertion consumer
"""
