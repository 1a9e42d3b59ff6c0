"""Sign-in must not tell, by the time it takes, whether an e-mail has an
account: every refused attempt that is not throttled checks the password
against a hash (the account's, or a dummy one made like it), and a throttled
attempt checks none, whoever it names. The work is counted as the number of
calls of the real hash check, not as wall time."""

import pytest
from werkzeug.security import check_password_hash

from tests.helpers import PASSWORD
from thinktank.auth import models
from thinktank.extensions import db


@pytest.fixture
def hash_checks(monkeypatch):
    """The number of password-hash verifications made so far."""
    calls = []

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash)
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(models, "check_password_hash", counting)
    return calls


def _checks_for(client, hash_checks, email, password, ip):
    before = len(hash_checks)
    response = client.post("/auth/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": ip})
    return response.status_code, len(hash_checks) - before


def test_unknown_and_known_accounts_cost_the_same_hash_work(client, make_user, hash_checks):
    known = make_user("secretariat")
    inactive = make_user("secretariat")
    inactive.active = False
    db.session.commit()
    attempts = {
        "unknown e-mail": ("nobody@example.cn", PASSWORD),
        "known, wrong password": (known.email, "wrong-password"),
        "inactive, right password": (inactive.email, PASSWORD),
        "inactive, wrong password": (inactive.email, "wrong-password"),
    }
    work = {name: _checks_for(client, hash_checks, email, password, f"10.0.4.{n}")
            for n, (name, (email, password)) in enumerate(attempts.items())}
    assert work == {name: (401, 1) for name in attempts}
    assert _checks_for(client, hash_checks, known.email, PASSWORD, "10.0.4.9") == (302, 1)


def test_throttled_attempts_cost_the_same_for_known_and_unknown_accounts(
        client, make_user, hash_checks):
    known = make_user("secretariat")
    ip = "10.0.5.1"
    for attempt in range(5):  # the address is blocked for every e-mail
        client.post("/auth/login", data={"email": f"guess{attempt}@example.cn",
                                         "password": "guess"},
                    environ_base={"REMOTE_ADDR": ip})
    assert _checks_for(client, hash_checks, known.email, PASSWORD, ip) == (429, 0)
    assert _checks_for(client, hash_checks, "nobody@example.cn", PASSWORD, ip) == (429, 0)


def test_the_dummy_hash_is_made_like_real_ones(make_user, hash_checks):
    user = make_user("secretariat")
    dummy = models.dummy_password_hash()
    method = user.password_hash.split("$", 1)[0]
    assert method.startswith("scrypt:")
    assert dummy.split("$", 1)[0] == method  # same algorithm and cost parameters
    assert models.dummy_password_hash() is dummy  # computed once
    assert not models.password_matches(None, "")  # a missing account never matches
    assert hash_checks == [dummy]
