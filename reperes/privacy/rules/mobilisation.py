"""Who may see or do what in reperes.mobilisation (named by reperes.privacy.policy through __all__)."""

__all__: list[str] = []
