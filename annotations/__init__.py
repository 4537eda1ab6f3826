"""Themes (the shared codebook), annotations on paragraph spans, and exports.

Empty for now; see DESIGN.md for the plan.
"""
