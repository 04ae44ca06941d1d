"""longcheng (龙城): an open platform on which a Chinese city runs its public services."""
