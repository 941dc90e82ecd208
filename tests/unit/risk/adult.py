"""The nine quasi-identifiers of ARX's Adult benchmark, in the column order of adult.csv."""

ADULT_QIS = [
    "sex", "age", "race", "marital-status", "education",
    "native-country", "workclass", "occupation", "salary-class",
]  # fmt: skip
