"""Experts' honoraria (劳务费): rates, amounts and the payment sheet (劳务费发放表)."""
