"""Re-identification risk: measures, the frequency set, and the optimal generalisation search."""

from craftveil.risk.apply import apply_generalisation
from craftveil.risk.frequency import FrequencySet, frequency_set
from craftveil.risk.measures import measure_risk
from craftveil.risk.record import record_measures, record_search
from craftveil.risk.report import RiskReport
from craftveil.risk.result import SearchResult
from craftveil.risk.search import exhaustive_search, search

__all__ = [
    "FrequencySet",
    "RiskReport",
    "SearchResult",
    "apply_generalisation",
    "exhaustive_search",
    "frequency_set",
    "measure_risk",
    "record_measures",
    "record_search",
    "search",
]
