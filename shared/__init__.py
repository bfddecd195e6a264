"""Code that two or more of the paper reproductions use: configs, the trainer, logging, results."""
