"""Full-text search over paragraphs (Whoosh behind a narrow backend interface).

Empty for now; see DESIGN.md ("Search") for the plan.
"""
