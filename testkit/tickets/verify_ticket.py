"""What a host application does with the ticket of --accept-redirect (docs/operations.md):
verify it with PyJWT (Debian's python3-jwt) and print its claims as JSON; exit 1, saying why,
when it does not verify. Arguments: the ticket, the secret, the audience (the application's
origin) and the issuer (the invitation server's origin)."""

import json
import sys

import jwt

ticket, secret, audience, issuer = sys.argv[1:5]
try:
    claims = jwt.decode(
        ticket,
        secret,
        algorithms=["HS256"],
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iat", "sub", "jti"]},
    )
except jwt.InvalidTokenError as error:
    print(f"refused: {error}")
    sys.exit(1)
print(json.dumps(claims))
