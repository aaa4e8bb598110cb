"""lxml and xmlsec must be built against the same libxml2: this fails CI, not production."""

from __future__ import annotations

import pytest
import xmlsec
from lxml import etree

from tests.saml.idp import ResponseSpec, assertion_of, build_response, new_key_pair, sign_assertion


def _verify(response: etree._Element, cert_pem: str) -> None:
    assertion = assertion_of(response)
    xmlsec.tree.add_ids(assertion, ["ID"])
    signature = xmlsec.tree.find_node(assertion, xmlsec.constants.NodeSignature)
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(cert_pem.encode(), xmlsec.KeyFormat.CERT_PEM)
    context.verify(signature)


def _document() -> etree._Element:
    return build_response(
        ResponseSpec(
            issuer="https://idp.example",
            request_id="ONELOGIN_x",
            acs_url="https://sp.example/acs",
            audience="https://sp.example/metadata",
            name_id="ana@example.com",
        )
    )


def test_xmlsec_signs_and_verifies_a_document_with_the_installed_lxml():
    keys = new_key_pair()
    signed = sign_assertion(_document(), keys)
    # Through serialisation, as a document travels.
    _verify(etree.fromstring(etree.tostring(signed)), keys.cert_pem)


def test_xmlsec_refuses_a_changed_document():
    keys = new_key_pair()
    signed = etree.fromstring(etree.tostring(sign_assertion(_document(), keys)))
    name_id = signed.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID")
    name_id.text = "eve@example.com"
    with pytest.raises(xmlsec.Error):
        _verify(signed, keys.cert_pem)


def test_lxml_and_xmlsec_use_the_same_libxml2():
    assert etree.LIBXML_VERSION == xmlsec.get_libxml_version()
