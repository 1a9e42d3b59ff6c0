"""Fixed vocabularies of the expert pool (docs/design.md, "Expert pool")."""

CATEGORIES = (
    "高校院所", "链主企业", "高成长企业", "研发服务机构", "金融投资机构", "行业协会", "其他",
)

JIANGXI_CITIES = (
    "南昌", "九江", "景德镇", "萍乡", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州", "上饶",
)
OUTSIDE_PROVINCE = "省外"
CITIES = (*JIANGXI_CITIES, OUTSIDE_PROVINCE)

INDUSTRY_DIRECTIONS = ("生物医药", "生物化工", "新食品", "生物材料", "生物能源")

SEED_FIELDS = (
    *INDUSTRY_DIRECTIONS,
    "酶制剂",
    "中试与工程化",
    "产业规划",
    "政策研究",
    "投融资",
    "标准制定",
    "知识产权",
    "生物安全",
    "法规伦理",
    "数字化与智能制造",
)

GENDERS = ("男", "女")


def normalise_city(value: str) -> str | None:
    """``"南昌市"`` → ``"南昌"``; unknown names → ``None``."""
    if value in CITIES:
        return value
    if value.endswith("市") and value[:-1] in JIANGXI_CITIES:
        return value[:-1]
    return None
