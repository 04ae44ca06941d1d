def build(**options):
    pass
