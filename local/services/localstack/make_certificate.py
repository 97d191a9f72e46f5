"""
Writes the TLS certificate LocalStack serves (CUSTOM_SSL_CERT_PATH): the private key and a
self-signed certificate in one PEM file, valid for the names Sluice's deployed functions call
LocalStack by — localhost, *.localhost and *.<region>.localhost (queue URLs are
https://sqs.<region>.<AWS::URLSuffix>/…, and LocalStack's URLSuffix is its host, localhost) —
and 127.0.0.1. LocalStack's own fallback certificate lists 127.0.0.1 in a malformed entry
and no subdomains. Function processes trust this file (NODE_EXTRA_CA_CERTS).

Usage: python make_certificate.py <target.pem> <region>...
"""

import datetime
import ipaddress
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def main(target: str, regions: list[str]) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    names = [x509.DNSName("localhost"), x509.DNSName("*.localhost")]
    names += [x509.DNSName(f"*.{region}.localhost") for region in regions]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    with open(target, "wb") as pem:
        pem.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        pem.write(certificate.public_bytes(serialization.Encoding.PEM))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
