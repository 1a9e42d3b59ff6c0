def test_login_page_is_chinese_by_default(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_every_page_names_an_icon_that_exists(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    # and where no page names it, the browser's default request finds it too
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301 and legacy.headers["Location"] == "/static/favicon.svg"
