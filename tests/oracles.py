"""Published test data shared by several test modules (see shared/oracles/README.md)."""

# statsmodels tsa/tests/test_seasonal.py: a quarterly series (period 4) whose classical
# decomposition statsmodels checks against R's decompose().
QUARTERLY = [
    -50, 175, 149, 214, 247, 237, 225, 329, 729, 809, 530, 489, 540, 457, 195, 176,
    337, 239, 128, 102, 232, 429, 3, 98, 43, -141, -77, -13, 125, 361, -45, 184,
]  # fmt: skip
