"""Who may do what: the policy table (rules.py) and the GraphQL permission classes (graphql.py)."""
