"""Leaderboard: the paper's tables filled from run folders, rendered beside the published numbers, plus figures.

Entry points: `python -m tipbench.leaderboard` (tables) and `python -m tipbench.figures` (grids of images).
"""
