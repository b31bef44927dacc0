"""Sympy checks of the algebraic and inequality steps that exactmdm's theorem checks rely on."""
