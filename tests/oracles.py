"""Published test data shared by several test modules (see shared/oracles/README.md)."""

# statsmodels tsa/tests/test_seasonal.py: a quarterly series (period 4) whose classical
# decomposition statsmodels checks against R's decompose().
QUARTERLY = [
    -50, 175, 149, 214, 247, 237, 225, 329, 729, 809, 530, 489, 540, 457, 195, 176,
    337, 239, 128, 102, 232, 429, 3, 98, 43, -141, -77, -13, 125, 361, -45, 184,
]  # fmt: skip

# Hyndman, Forecasting: Principles and Practice (1st ed.), Saudi Arabian oil production
# 1996-2007, as in statsmodels tsa/holtwinters/tests/test_holtwinters.py.
SAUDI_OIL = [
    446.6565229, 454.4733065, 455.662974, 423.6322388, 456.2713279, 440.5880501,
    425.3325201, 485.1494479, 506.0481621, 526.7919833, 514.268889, 494.2110193,
]  # fmt: skip

# Rousseeuw (1987), Table 1: dissimilarities between 12 countries (lower triangle, row
# by row), as in scikit-learn's test_silhouette_paper_example; partitions of Figures 2
# and 3 with mean silhouette 0.28 (k = 2) and 0.33 (k = 3).
COUNTRIES = ["BEL", "BRA", "CHI", "CUB", "EGY", "FRA", "IND", "ISR", "USA", "USS", "YUG", "ZAI"]
COUNTRY_DISSIMILARITY_LOWER = [
    5.58, 7.00, 6.50, 7.08, 7.00, 3.83, 4.83, 5.08, 8.17, 5.83, 2.17, 5.75, 6.67, 6.92,
    4.92, 6.42, 5.00, 5.58, 6.00, 4.67, 6.42, 3.42, 5.50, 6.42, 6.42, 5.00, 3.92, 6.17,
    2.50, 4.92, 6.25, 7.33, 4.50, 2.25, 6.33, 2.75, 6.08, 6.67, 4.25, 2.67, 6.00, 6.17,
    6.17, 6.92, 6.17, 5.25, 6.83, 4.50, 3.75, 5.75, 5.42, 6.08, 5.83, 6.67, 3.67, 4.75,
    3.00, 6.08, 6.67, 5.00, 5.58, 4.83, 6.17, 5.67, 6.50, 6.92,
]  # fmt: skip
COUNTRY_PARTITION_K2 = [1, 1, 2, 2, 1, 1, 2, 1, 1, 2, 2, 1]
COUNTRY_PARTITION_K3 = [1, 2, 3, 3, 1, 1, 2, 1, 1, 3, 3, 2]

# R's `sleep` data (Cushny & Peebles 1905): extra hours of sleep under two drugs.
# t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p = 0.07939,
# 95 % CI of group1 - group2 (-3.3654832, 0.2054832); wilcox.test: p = 0.06933.
SLEEP_GROUP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_GROUP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
