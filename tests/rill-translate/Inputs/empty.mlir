// Only comments: a valid, empty program (host_dialect.md §2.1).
