"""The composition root: the `voiceshop` command wires the domain to its adapters for ops and demos."""
