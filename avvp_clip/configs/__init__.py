"""One file per experiment of the paper; `common` holds what they share."""
