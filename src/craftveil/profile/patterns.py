"""The regular expressions and column-name vocabularies the detectors use.

Values decide first; names only support (a column called ``address`` that holds 40-character
hex strings is reported as hashed tokens, not as addresses). The vocabularies follow the direct-
and indirect-identifier lists of the ESSnet *Handbook on Statistical Disclosure Control* (§3.2)
and HIPAA's Safe Harbor list (names, addresses, dates, phone numbers, e-mail, URLs, ...).
"""

from __future__ import annotations

import re


def _plain(pattern: str) -> str:
    """Make every group non-capturing (pandas warns on capturing groups in ``contains``)."""
    out: list[str] = []
    escaped = in_class = False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "(" and not in_class and pattern[i + 1 : i + 2] != "?":
            out.append("(?:")
            continue
        out.append(ch)
    return "".join(out)


EMAIL = _plain(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = _plain(r"\+?\(?\d[\d\s().\-/]{5,}\d(\s*(x|ext\.?)\s*\d{1,5})?")
URL = _plain(
    r"(https?://|www\.)\S+"
    r"|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.(com|org|net|edu|gov|io|co|us|uk|de|fr|br|info|biz|shop)"
    r"(/\S*)?"
)
HANDLE = _plain(r"@[A-Za-z0-9_.]{2,}|(instagram|facebook|twitter|fb|ig|pinterest)\s*:\s*\S.*")
STREET_WORDS = (
    r"st|street|rd|road|ave|avenue|blvd|boulevard|ln|lane|dr|drive|way|hwy|highway|ct|court|pl"
    r"|place|pkwy|parkway|sq|square|ter|terrace|trl|trail|cir|circle|route|rte|pike|plaza|row"
    r"|rua|avenida|calle|strasse|straße|weg|via|rue|carrera|calzada"
)
STREET = _plain(
    rf"\d+[A-Za-z]?(-\d+)?\s+.*\b({STREET_WORDS})\b\.?.*"
    rf"|.*\b({STREET_WORDS})\b\.?\s+\d+.*"
    r"|(p\.?\s?o\.?\s+box|box)\s+\d+.*"
)
POSTAL = _plain(
    r"\d{3,5}"
    r"|\d{5}-\d{4}"
    r"|\d{5}-\d{3}"
    r"|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
    r"|[A-Z]\d[A-Z]\s*\d[A-Z]\d"
    r"|\d{4}\s?[A-Z]{2}"
)
COORDINATE_PAIR = _plain(r"(POINT\s*\()?\s*-?\d{1,3}\.\d+\s*[, ]\s*-?\d{1,3}\.\d+\s*\)?")
HEX_TOKEN = _plain(r"[0-9a-fA-F]{24,}")
MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|jun(e)?|jul(y)?|aug(ust)?"
    r"|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?"
)
DATE_TEXT = _plain(
    r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?.*"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(\s+\d{1,2}:\d{2}(:\d{2})?(\s?[AP]M)?)?"
    rf"|({MONTHS})\.?\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(st|nd|rd|th)?\s+({MONTHS})\.?,?\s+\d{{2,4}}"
    rf"|\d{{1,2}}-({MONTHS})(-\d{{2,4}})?"
    rf"|({MONTHS})[ -]\d{{2,4}}"
)
DATE_INSIDE = _plain(
    rf"\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|\b({MONTHS})\.?\s+\d{{1,2}}\b"
)
TIME_OF_DAY = _plain(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s?[AaPp][Mm])?")
YEAR = _plain(r"(1[89]|20)\d{2}")
NUMBER = _plain(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
MONEY = _plain(
    r"[-+]?\s?[$€£¥₹]\s?\d[\d,]*(\.\d+)?"
    r"|[-+]?\d[\d,]*(\.\d+)?\s?(USD|EUR|GBP|BRL|CAD|AUD|R\$|\$|€|£)"
    r"|(USD|EUR|GBP|BRL|CAD|AUD|R\$)\s?\d[\d,]*(\.\d+)?"
)
QUANTITY_WITH_UNIT = _plain(
    r"\d[\d,]*(\.\d+)?\s?(kg|kgs|g|gr|lb|lbs|oz|t|l|ml|cl|m|cm|mm|pcs|pieces|units|bags|boxes)\.?"
)
PERSON_NAME = _plain(
    r"(?:[A-Z][a-z'’\-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’\-]+|[A-Z]\.|de|da|del|van|von|la)){1,3}"
)
BUSINESS_WORDS = _plain(
    r"\b(inc|llc|ltd|ltda|plc|gmbh|co|corp|company|cooperative|coop|co-op|association|assoc"
    r"|s\.?a\.?|sarl|farm|farms|farmers|market|markets|mercado|bakery|brewery|brewing|brewers"
    r"|roastery|roasters|coffee|cafe|café|estate|finca|fazenda|hacienda|mill|studio|shop"
    r"|store|boutique|atelier|workshop|pottery|crafts?|enterprises?|trading|group|union"
    r"|society|industries|industry|agro|exports?|imports?)\b"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VENDOR_NAME_TOKENS = _words(
    "vendor seller shop market owner producer brewery company store merchant supplier maker"
    " artisan business farm roaster bakery cooperative coop"
)
ID_TOKENS = frozenset({"id", "key", "uuid", "guid"})
CODE_NAME_TOKENS = _words(
    "id key uuid guid zip zipcode postal postcode cep plz code phone tel telephone mobile fax"
    " lot batch ico sku ean upc isbn gtin"
)
POSTAL_TOKENS = _words("zip zipcode postal postcode cep plz")
PHONE_TOKENS = _words("phone tel telephone mobile fax cell whatsapp")
EMAIL_TOKENS = _words("email mail")
URL_TOKENS = _words("url website web site homepage facebook twitter instagram youtube")
STREET_TOKENS = _words("street address addr road")
LATITUDE_TOKENS = frozenset({"lat", "latitude"})
LONGITUDE_TOKENS = frozenset({"lon", "lng", "long", "longitude"})
LOT_TOKENS = frozenset({"lot", "batch"})
NAME_TOKENS = _words(
    "name owner producer farm company mill contact person farmer maker brand customer"
    " seller vendor shop store brewery firstname lastname surname"
)
PLACE_TOKENS = _words(
    "city town county state region country province district municipality location village"
    " neighbourhood neighborhood area origin"
)
ALTITUDE_TOKENS = frozenset({"altitude", "elevation"})
MONEY_TOKENS = _words(
    "price cost amount revenue value fee freight payment paid turnover income spend gmv"
    " usd eur brl gbp wage salary"
)
QUANTITY_TOKENS = _words(
    "qty quantity count number num bags units pieces items stock inventory weight volume"
    " ounces oz kg grams lbs size length width height photos favorers sold"
)
ROW_INDEX_NAME = re.compile(r"(column\d*|unnamed.*|index|idx|row|rownum|row_number|)", re.I)


def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case words of a column name: ``Farm.Name`` → (farm, name); ``sellerId`` too."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return tuple(t for t in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if t)
