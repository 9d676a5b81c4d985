"""Writers of qualcode's outputs: layout only, no statistics."""
