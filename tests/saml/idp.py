"""A test identity provider: its own key and certificate, responses built with lxml and signed
with xmlsec (enveloped signature, exclusive c14n, rsa-sha256), as a real IdP sends them."""

from __future__ import annotations

import base64
import secrets
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NSMAP = {"samlp": SAMLP, "saml": SAML}
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"


@dataclass(frozen=True)
class KeyPair:
    key_pem: bytes
    cert_pem: str


def new_key_pair(
    common_name: str = "Test IdP",
    *,
    valid_from: datetime | None = None,
    days: int = 365,
    bits: int = 2048,
) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = valid_from or datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id() -> str:
    return "_" + secrets.token_hex(20)


@dataclass(frozen=True)
class ResponseSpec:
    """Everything a response says; tests change one field to make it wrong."""

    issuer: str
    request_id: str | None
    acs_url: str
    audience: str
    name_id: str
    destination: str | None = None  # default: acs_url
    recipient: str | None = None  # default: acs_url
    attributes: dict[str, list[str]] = field(default_factory=dict)
    not_before: datetime | None = None  # default: now - 1 minute
    not_on_or_after: datetime | None = None  # default: now + 5 minutes
    assertion_id: str = field(default_factory=_id)
    response_id: str = field(default_factory=_id)

    def but(self, **changes: object) -> ResponseSpec:
        return replace(self, **changes)  # type: ignore[arg-type]


def build_response(spec: ResponseSpec) -> etree._Element:
    now = datetime.now(UTC)
    not_before = spec.not_before or now - timedelta(minutes=1)
    not_on_or_after = spec.not_on_or_after or now + timedelta(minutes=5)

    def el(
        parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        node = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: v for k, v in attrs.items()})
        if text is not None:
            node.text = text
        return node

    response = etree.Element(f"{{{SAMLP}}}Response", nsmap=NSMAP)
    response.set("ID", spec.response_id)
    response.set("Version", "2.0")
    response.set("IssueInstant", _time(now))
    response.set("Destination", spec.destination if spec.destination is not None else spec.acs_url)
    if spec.request_id is not None:
        response.set("InResponseTo", spec.request_id)
    el(response, SAML, "Issuer", spec.issuer)
    status = el(response, SAMLP, "Status")
    el(status, SAMLP, "StatusCode", Value=SUCCESS)

    assertion = el(
        response, SAML, "Assertion", ID=spec.assertion_id, Version="2.0", IssueInstant=_time(now)
    )
    el(assertion, SAML, "Issuer", spec.issuer)
    subject = el(assertion, SAML, "Subject")
    el(
        subject,
        SAML,
        "NameID",
        spec.name_id,
        Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    )
    confirmation = el(subject, SAML, "SubjectConfirmation", Method=BEARER)
    data = {
        "NotOnOrAfter": _time(not_on_or_after),
        "Recipient": spec.recipient if spec.recipient is not None else spec.acs_url,
    }
    if spec.request_id is not None:
        data["InResponseTo"] = spec.request_id
    el(confirmation, SAML, "SubjectConfirmationData", **data)
    conditions = el(
        assertion,
        SAML,
        "Conditions",
        NotBefore=_time(not_before),
        NotOnOrAfter=_time(not_on_or_after),
    )
    restriction = el(conditions, SAML, "AudienceRestriction")
    el(restriction, SAML, "Audience", spec.audience)
    statement = el(assertion, SAML, "AuthnStatement", AuthnInstant=_time(now), SessionIndex=_id())
    context = el(statement, SAML, "AuthnContext")
    el(
        context,
        SAML,
        "AuthnContextClassRef",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    )
    if spec.attributes:
        attributes = el(assertion, SAML, "AttributeStatement")
        for name, values in spec.attributes.items():
            attribute = el(attributes, SAML, "Attribute", Name=name)
            for value in values:
                el(attribute, SAML, "AttributeValue", value)
    return response


def assertion_of(response: etree._Element) -> etree._Element:
    return response.find("saml:Assertion", namespaces=NSMAP)


def sign_assertion(response: etree._Element, keys: KeyPair) -> etree._Element:
    """Enveloped signature over the assertion, placed after its Issuer as the schema wants."""
    assertion = assertion_of(response)
    signature = xmlsec.template.create(
        assertion, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds"
    )
    assertion.insert(1, signature)
    reference = xmlsec.template.add_reference(
        signature, xmlsec.Transform.SHA256, uri="#" + assertion.get("ID")
    )
    xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(reference, xmlsec.Transform.EXCL_C14N)
    key_info = xmlsec.template.ensure_key_info(signature)
    xmlsec.template.x509_data_add_certificate(xmlsec.template.add_x509_data(key_info))
    key = xmlsec.Key.from_memory(keys.key_pem, xmlsec.KeyFormat.PEM)
    key.load_cert_from_memory(keys.cert_pem.encode(), xmlsec.KeyFormat.CERT_PEM)
    context = xmlsec.SignatureContext()
    context.key = key
    xmlsec.tree.add_ids(assertion, ["ID"])
    context.sign(signature)
    return response


def encode(response: etree._Element) -> str:
    return base64.b64encode(etree.tostring(response, xml_declaration=False)).decode()


def request_id_of(location: str) -> str:
    """The AuthnRequest ID inside an HTTP-Redirect binding URL (deflated, base64)."""
    query = parse_qs(urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    request = etree.fromstring(xml)
    assert request.tag == f"{{{SAMLP}}}AuthnRequest"
    return str(request.get("ID"))
