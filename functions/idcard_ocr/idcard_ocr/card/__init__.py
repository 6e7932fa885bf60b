"""The card's own rules, pure and without I/O: citizen numbers, checks, masking, documents."""
