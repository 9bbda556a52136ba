"""The session screen: one infusion day charted section by section."""
