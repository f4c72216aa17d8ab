"""Rules: the rebate rule maths, the stored rule book and the what-if simulation."""
