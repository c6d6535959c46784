"""Forward-mode AD is not part of glasstorch; this module exists so imports resolve."""
