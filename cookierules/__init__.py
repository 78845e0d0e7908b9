"""cookierules: the browser's cookie rules, with no web framework in them.

One small module per algorithm of RFC 6265bis (and CHIPS), named after it: the name and value
grammar, prefixes, domains, sites, expiry, encoding, signing, the cookie model and the storage
checks. Every rule reports a ``Finding`` with a stable code from the catalogue in ``findings``.
The HTTP layer (``api``) and the shapes (``schemas``) call this package; it calls neither.
"""
