"""Currency conversion with the dated rate table the knowledge base carries (knowledge/rates.yaml).

Amounts are only compared after conversion to one base currency; every converted figure
can say which table (date, source) it used.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from assistant.errors import InputError
from assistant.models import Cost

# Currency names seen in catalogues (CTDL often writes names, not codes).
CURRENCY_NAMES = {
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "€": "EUR",
    "us dollar": "USD",
    "us dollars": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "$": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "pound sterling": "GBP",
    "gbp": "GBP",
    "£": "GBP",
    "swiss franc": "CHF",
    "swiss francs": "CHF",
    "franc": "CHF",
    "francs": "CHF",
    "chf": "CHF",
    "danish krone": "DKK",
    "danish kroner": "DKK",
    "kroner": "DKK",
    "dkk": "DKK",
    "swedish krona": "SEK",
    "sek": "SEK",
    "norwegian krone": "NOK",
    "nok": "NOK",
    "canadian dollar": "CAD",
    "cad": "CAD",
    "australian dollar": "AUD",
    "aud": "AUD",
    "singapore dollar": "SGD",
    "sgd": "SGD",
    "indian rupee": "INR",
    "rupees": "INR",
    "inr": "INR",
    "japanese yen": "JPY",
    "yen": "JPY",
    "jpy": "JPY",
    "chilean peso": "CLP",
    "pesos": "CLP",
    "clp": "CLP",
}


def currency_code(text: str) -> str | None:
    """ISO 4217 code for a code or a currency name ('US Dollar' -> 'USD'), or None."""
    cleaned = text.strip().lower()
    if len(cleaned) == 3 and cleaned.isalpha():
        return cleaned.upper()
    return CURRENCY_NAMES.get(cleaned)


class RateTable(BaseModel):
    """Units of each currency per one unit of ``base``, valid on ``as_of``."""

    base: str = "EUR"
    as_of: date
    source: str
    url: str | None = None
    per_eur: dict[str, float] = Field(default_factory=dict, description="Units of currency per 1 base unit.")

    def rate(self, currency: str) -> float:
        code = currency.upper()
        if code == self.base:
            return 1.0
        rate = self.per_eur.get(code)
        if rate is None:
            raise InputError(f"No exchange rate for {code} in the rate table of {self.as_of} — use one of {', '.join(sorted([self.base, *self.per_eur]))}.")
        return rate

    def convert(self, amount: float, from_currency: str, to_currency: str) -> float:
        """Convert through the base currency."""
        return amount / self.rate(from_currency) * self.rate(to_currency)

    def try_convert(self, amount: float, from_currency: str, to_currency: str) -> float | None:
        try:
            return self.convert(amount, from_currency, to_currency)
        except InputError:
            return None

    @property
    def citation(self) -> str:
        return f"{self.source}, rates of {self.as_of.isoformat()}"


def cost_in_currency(cost: Cost | None, currency: str, rates: RateTable | None) -> float | None:
    """A published cost in ``currency`` (free is 0); None when unknown or not convertible."""
    if cost is None:
        return None
    if cost.free or cost.amount == 0:
        return 0.0
    if cost.amount is None or not cost.currency:
        return None
    if cost.currency == currency.upper():
        return cost.amount
    return rates.try_convert(cost.amount, cost.currency, currency) if rates is not None else None
