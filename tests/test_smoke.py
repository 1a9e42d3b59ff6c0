def test_login_page_is_chinese_by_default(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)
