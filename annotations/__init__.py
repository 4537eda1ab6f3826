"""Themes (the shared codebook), annotations on paragraph spans, roles and
agreement.

Writes go through ``services``; reads across apps through ``selectors``; who
may do what is decided in ``roles``. Exports are still to come (see DESIGN.md).
"""
