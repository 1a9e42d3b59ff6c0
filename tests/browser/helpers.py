"""Signing in through the login page, as a person does."""


def sign_in(page, base_url, email, password):
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
