"""Calls an exchange-hub node's Exchange.RequestRecord over (mutual) TLS, as an agency.

Mints the agency JWT itself (EdDSA, Ed25519), with req_sha256 = base64url(SHA-256 of the
exact protobuf bytes sent), then checks the provider's signature on the record it gets.
Stubs come from proto/ with grpcio-tools (see the README, "Calling the hub (integrators)").
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import time
import uuid

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "gen"))
from xhub.exchange.v1 import exchange_pb2, exchange_pb2_grpc  # noqa: E402


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def agency_token(agency: str, jwk: dict, audience: str, request_bytes: bytes, lifetime_sec: int = 60) -> str:
    """The token for one call: one node as aud, short-lived, unique jti, bound to these request bytes."""
    key = Ed25519PrivateKey.from_private_bytes(unb64url(jwk["d"]))
    now = int(time.time())
    claims = {
        "iss": agency,
        "sub": agency,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_sec,
        "jti": str(uuid.uuid4()),
        "req_sha256": b64url(hashlib.sha256(request_bytes).digest()),
    }
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": jwk["kid"], "typ": "JWT"})


def provider_keys(policies_dir: str, provider: str) -> dict:
    """The provider's public keys by kid, from the registry (agencies.json, jwks inline or jwksFile)."""
    with open(os.path.join(policies_dir, "agencies.json"), encoding="utf-8") as f:
        agency = next(a for a in json.load(f)["agencies"] if a["id"] == provider)
    jwks = agency.get("jwks")
    if jwks is None:
        with open(os.path.join(policies_dir, agency["jwksFile"]), encoding="utf-8") as f:
            jwks = json.load(f)
    return {k["kid"]: Ed25519PublicKey.from_public_bytes(unb64url(k["x"])) for k in jwks["keys"]}


def verify_delivery(response, policies_dir: str, asked: dict) -> dict:
    """What lib/envelope/verify-delivery.ts checks: the provider signed exactly this record, for this request."""
    header_b64, payload_b64, signature_b64 = response.provider_signature.split(".")
    header = json.loads(unb64url(header_b64))
    if header.get("alg") != "EdDSA" or header.get("typ") != "xhub-response+jws":
        raise ValueError("not a provider response JWS")
    key = provider_keys(policies_dir, response.provider_id)[header["kid"]]
    key.verify(unb64url(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))  # raises if it does not verify
    signed = json.loads(unb64url(payload_b64))
    subject_digest = b64url(hashlib.sha256(f"{signed['exchangeId']}:{asked['subject']}".encode("utf-8")).digest())
    checks = {
        "outcome": signed.get("outcome") == "delivered",
        "exchangeId": signed["exchangeId"] == response.exchange_id,
        "provider": signed["provider"] == response.provider_id,
        "consumer": signed["consumer"] == asked["consumer"],
        "recordType": signed["recordType"] == asked["record_type"],
        "clientRequestId": signed["clientRequestId"] == asked["client_request_id"],
        "subjectDigest": signed["subjectDigest"] == subject_digest,
        "record": signed["record"] == json.loads(response.record_json),
        "fields": signed["fields"] == list(response.fields_delivered),
    }
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        raise ValueError(f"the record returned differs from what the provider signed: {failed}")
    return signed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--node", default="127.0.0.1:50051")
    p.add_argument("--audience", default="node-1", help="the node id (the token's aud)")
    p.add_argument("--agency", required=True)
    p.add_argument("--key", required=True, help="the agency's private Ed25519 JWK")
    p.add_argument("--ca", required=True, help="PEM CA of the node's certificate")
    p.add_argument("--cert", help="the agency's PEM client certificate (mutual TLS)")
    p.add_argument("--tls-key", help="its PEM private key")
    p.add_argument("--policies", required=True, help="registry folder, for the provider's public key")
    p.add_argument("--subject", required=True)
    p.add_argument("--record-type", required=True)
    p.add_argument("--purpose", required=True)
    p.add_argument("--consent-id", default="")
    o = p.parse_args()

    def read(path):
        with open(path, "rb") as f:
            return f.read()

    with open(o.key, encoding="utf-8") as f:
        jwk = json.load(f)
    request = exchange_pb2.RequestRecordRequest(
        subject=o.subject, record_type=o.record_type, purpose=o.purpose, client_request_id=str(uuid.uuid4()), consent_id=o.consent_id
    )
    # The bytes grpcio sends are exactly SerializeToString() of this message: the token covers them.
    token = agency_token(o.agency, jwk, o.audience, request.SerializeToString())
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(o.ca),
        private_key=read(o.tls_key) if o.tls_key else None,
        certificate_chain=read(o.cert) if o.cert else None,
    )
    with grpc.secure_channel(o.node, credentials) as channel:
        stub = exchange_pb2_grpc.ExchangeStub(channel)
        try:
            response = stub.RequestRecord(request, metadata=[("authorization", f"Bearer {token}")], timeout=10)
        except grpc.RpcError as e:
            code = dict(e.trailing_metadata() or ()).get("xhub-error-code", "")
            sys.exit(f"refused: {e.code().name} {code}: {e.details()}")
    asked = {"consumer": o.agency, "record_type": o.record_type, "subject": o.subject, "client_request_id": request.client_request_id}
    verify_delivery(response, o.policies, asked)
    print(f"exchange {response.exchange_id}: record from {response.provider_id}, signature verified (key {response.provider_key_id})")
    print(json.dumps(json.loads(response.record_json), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
