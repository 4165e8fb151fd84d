"""The credit policy as a governed product: versions and their life cycle, four eyes,
consistency checks, and simulation against stored requests before approval."""
