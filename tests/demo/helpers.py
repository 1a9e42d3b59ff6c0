def load(runner, password=None, base_url=None):
    """``flask demo load``; ``DEMO_PASSWORD`` and ``DEMO_BASE_URL`` unset unless given."""
    return runner.invoke(args=["demo", "load"],
                         env={"DEMO_PASSWORD": password, "DEMO_BASE_URL": base_url})
