from tests.records.history_factories import build_history
from thinktank.permissions import Role


def test_the_secretariat_sees_any_experts_history(client, auth, make_user, make_expert):
    expert, other = make_expert(name="张三"), make_expert()
    built = build_history(expert, other)
    auth.login(make_user(Role.SECRETARIAT))

    response = client.get(f"/records/experts/{expert.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "张三" in page and built.declined_reason in page
    assert built.late_application.title in page


def test_an_admin_sees_any_experts_history(client, auth, make_user, make_expert):
    expert = make_expert()
    auth.login(make_user(Role.ADMIN))

    assert client.get(f"/records/experts/{expert.id}").status_code == 200


def test_an_expert_sees_only_their_own(client, auth, make_user, make_expert):
    own, other = make_expert(), make_expert()
    auth.login(make_user(Role.EXPERT, expert=own))

    assert client.get(f"/records/experts/{own.id}").status_code == 200
    assert client.get(f"/records/experts/{other.id}").status_code == 403
    assert client.get("/records/experts/999999").status_code == 403  # existence not revealed


def test_officials_see_none_of_it(client, auth, make_user, make_expert):
    expert = make_expert()
    auth.login(make_user(Role.OFFICIAL))

    assert client.get(f"/records/experts/{expert.id}").status_code == 403


def test_an_unknown_expert_is_not_found(client, auth, make_user):
    auth.login(make_user(Role.SECRETARIAT))

    assert client.get("/records/experts/999999").status_code == 404


def test_the_expert_page_links_to_the_history(client, auth, make_user, make_expert):
    expert = make_expert()
    link = f'href="/records/experts/{expert.id}"'
    for user, shown in [(make_user(Role.SECRETARIAT, email="s@example.cn"), True),
                        (make_user(Role.EXPERT, expert=expert, email="e@example.cn"), True),
                        (make_user(Role.OFFICIAL, email="o@example.cn"), False)]:
        auth.login(user)
        page = client.get(f"/experts/{expert.id}").get_data(as_text=True)
        assert (link in page) is shown, user.roles
        auth.logout()


def test_the_page_fits_a_phone(client, auth, make_user, make_expert):
    expert, other = make_expert(), make_expert()
    build_history(expert, other)
    auth.login(make_user(Role.EXPERT, expert=expert))

    page = client.get(f"/records/experts/{expert.id}").get_data(as_text=True)

    # Narrow screens stack the cards; nothing is a wide table.
    assert "<table" not in page
    assert "row-cols-2" in page and "col-12 col-lg-6" in page
