"""The access rules, one module per kind of object; `reperes.privacy.policy` is the one name the
rest of the code asks (see that module's docstring for the layering)."""
