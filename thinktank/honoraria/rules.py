"""Pure honoraria rules, in Decimal: the title band of an expert, the configured
rates checked against the national guidance for experts' consultation fees,
half days, per-item correspondence review and rounding to whole yuan."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Band(StrEnum):
    SENIOR = "senior"  # 正高级职称
    OTHER = "other"


# The guidance's day-rate ranges per band, in yuan, both ends allowed.
DAY_RATE_RANGES = {
    Band.SENIOR: (Decimal("1500"), Decimal("2400")),
    Band.OTHER: (Decimal("900"), Decimal("1500")),
}
CONFIG_KEYS = {Band.SENIOR: "HONORARIA_SENIOR_DAY_RATE", Band.OTHER: "HONORARIA_OTHER_DAY_RATE"}
ITEM_RATE_KEY = "HONORARIA_REVIEW_ITEM_RATE"
DEFAULTS = {
    CONFIG_KEYS[Band.SENIOR]: Decimal("2000"),
    CONFIG_KEYS[Band.OTHER]: Decimal("1200"),
    ITEM_RATE_KEY: Decimal("500"),
}
HALF_DAY_LIMIT = timedelta(hours=4)
HALF_DAY_SHARE = Decimal("0.6")
HALF_DAY, FULL_DAY = Decimal("0.5"), Decimal("1")
YUAN = Decimal("1")

# Full senior titles (正高级); their deputy (副) and assistant (助理) forms are not.
SENIOR_MARKS = ("正高", "教授", "研究员", "主任医师", "主任药师", "主任护师", "主任技师",
                "编审", "译审", "院士")
JUNIOR_MARKS = ("副", "助理")


class RateError(ValueError):
    """A configured rate that is not a number or lies outside the guidance."""

    def __init__(self, key: str, value: object, low: Decimal | None = None,
                 high: Decimal | None = None):
        bounds = f" (allowed {low}–{high} yuan)" if low is not None else ""
        super().__init__(f"{key} = {value!r} is not allowed{bounds}")
        self.key, self.value, self.low, self.high = key, value, low, high


@dataclass(frozen=True)
class Rates:
    """The day rate per band and the per-item rate of correspondence review."""

    day: Mapping[Band, Decimal]
    item: Decimal

    def half_day(self, band: Band) -> Decimal:
        return self.day[band] * HALF_DAY_SHARE

    def review_item(self, band: Band) -> Decimal:
        """The per-item rate, capped at half the band's day rate."""
        return min(self.item, self.day[band] / 2)


def title_band(title: str | None) -> Band:
    """The band of a 职称 text: senior for a full senior title, other otherwise."""
    text = (title or "").strip()
    if any(mark in text for mark in JUNIOR_MARKS):
        return Band.OTHER
    return Band.SENIOR if any(mark in text for mark in SENIOR_MARKS) else Band.OTHER


def _decimal(key: str, value: object) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        raise RateError(key, value) from None
    if not number.is_finite():
        raise RateError(key, value)
    return number


def rates_from_config(config: Mapping[str, object]) -> Rates:
    """The rates from ``config`` (defaults for missing keys); a day rate outside
    its guidance range or a per-item rate that is not positive raises RateError."""
    day = {}
    for band, key in CONFIG_KEYS.items():
        value = _decimal(key, config.get(key, DEFAULTS[key]))
        low, high = DAY_RATE_RANGES[band]
        if not low <= value <= high:
            raise RateError(key, config.get(key), low, high)
        day[band] = value
    item = _decimal(ITEM_RATE_KEY, config.get(ITEM_RATE_KEY, DEFAULTS[ITEM_RATE_KEY]))
    if item <= 0:
        raise RateError(ITEM_RATE_KEY, config.get(ITEM_RATE_KEY))
    return Rates(day=day, item=item)


def round_yuan(amount: Decimal) -> Decimal:
    """To whole yuan, halves up (1,333.5 → 1,334)."""
    return amount.quantize(YUAN, rounding=ROUND_HALF_UP)


def session_days(duration: timedelta) -> Decimal:
    """0.5 for a session of at most four hours, else one day."""
    return HALF_DAY if duration <= HALF_DAY_LIMIT else FULL_DAY


def session_amount(rates: Rates, band: Band, days: Decimal) -> Decimal:
    """The fee of one session: a half day is paid at 60 % of the day rate."""
    return round_yuan(rates.half_day(band) if days == HALF_DAY else rates.day[band])


def review_amount(rates: Rates, band: Band, items: int) -> Decimal:
    """The fee of a correspondence review of ``items`` submitted sheets."""
    return round_yuan(rates.review_item(band) * items)


def checked_total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of the line amounts, each of which must already be whole yuan;
    the sheet's total is this sum, never a separately rounded figure."""
    total = Decimal("0")
    for amount in amounts:
        if amount != round_yuan(amount):
            raise ValueError(f"line amount {amount} is not in whole yuan")
        total += amount
    return total
