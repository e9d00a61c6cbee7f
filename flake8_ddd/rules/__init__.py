"""One module per rule. Each rule is registered in the ``flake8_ddd.rules`` entry-point group."""
