"""The audit actions are the webhook events: one registry (domain/audit_actions.py), which every
action the code records must be in, and whose page of the documentation is generated."""

from __future__ import annotations

import ast
from pathlib import Path

from domain.audit_actions import ACTIONS, DERIVED_EVENTS, EVENTS, events_of
from tools.docs_pages import ROOT

SUBJECTS = ("user", "invitation", "project", "api_token", "ownership", "signup_domain", "tenant",
            "saml", "settings", "session", "webhook", "signup", "scim", "scim_token", "group",
            "group_role_mapping")  # fmt: skip


def recorded_actions() -> set[str]:
    """Every string literal of domain/ shaped like an action (`subject.verb`)."""
    found = set()
    for path in (ROOT / "domain").rglob("*.py"):
        if path.name == "audit_actions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                subject, dot, verb = node.value.partition(".")
                if dot and subject in SUBJECTS and verb.replace("_", "").isalpha():
                    found.add(node.value)
    return found


def test_every_action_the_code_records_is_registered():
    # webhook.test is sent by testWebhook, and recorded by no one.
    assert recorded_actions() - set(ACTIONS) - {"webhook.test"} == set()


def test_the_registry_names_no_action_the_code_never_records():
    assert set(ACTIONS) - recorded_actions() == set()


def test_every_event_has_a_sentence():
    assert all(words.strip().endswith(".") for words in EVENTS.values())
    assert not set(ACTIONS) & set(DERIVED_EVENTS)


def test_the_events_page_lists_every_event():
    page = (Path(ROOT) / "docs/reference/events.md").read_text()
    assert [name for name in EVENTS if f"`{name}`" not in page] == []


def test_a_role_change_is_also_sent_as_user_role_changed():
    assert events_of("user.updated", {"role": "admin"}) == ["user.updated", "user.role_changed"]
    assert events_of("user.updated", {"email": "a@example.com"}) == ["user.updated"]


def test_an_accepted_invitation_is_also_sent_as_user_created():
    assert events_of("invitation.accepted", {}) == ["invitation.accepted", "user.created"]


def test_a_verified_sign_up_is_also_sent_as_signup_verified():
    assert events_of("user.email_verified", None) == ["user.email_verified", "signup.verified"]
