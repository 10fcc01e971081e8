"""积分制管理: the points cycle (SPEC §9)."""
